package ui

import (
	"net/http"
	"net/url"

	"baobei/internal/domain"
	"baobei/templates"
)

// listPool is the public pool page (公海): customers no claim holds, the
// most recently returned first, searchable by name, a page at a time.
func (p *Pages) listPool(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	f := domain.PoolFilter{Query: searchText(q.Get("q")), Limit: listPageSize, Cursor: q.Get("cursor")}
	entries, next, err := p.svc.Pool(r.Context(), a, f)
	if domain.ErrorCode(err) == domain.CodeInvalid { // a stale or edited cursor: start over
		f.Cursor = ""
		entries, next, err = p.svc.Pool(r.Context(), a, f)
	}
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.pool")
	if err != nil {
		return err
	}
	v := templates.PoolView{Entries: entries, Query: f.Query}
	if next != "" {
		v.NextURL = "/pool?" + url.Values{"q": {f.Query}, "cursor": {next}}.Encode()
	}
	return render(w, r, templates.Pool(pg, v))
}
