package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"baobei/internal/domain"
	"baobei/templates"
)

// listDisputes lists the cases the user may read — as a party, a manager
// of a party's team or an admin — newest first, filtered by state.
func (p *Pages) listDisputes(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	f := domain.DisputeFilter{Status: domain.DisputeStatus(q.Get("status")), Limit: listPageSize, Cursor: cursor(q)}
	if f.Validate() != nil {
		f.Status = ""
	}
	rows, next, err := p.svc.Disputes(r.Context(), a, f)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.disputes")
	if err != nil {
		return err
	}
	v := templates.DisputeListView{Rows: rows, Status: string(f.Status)}
	if next != 0 {
		v.NextURL = "/disputes?" + url.Values{"status": {string(f.Status)}, "cursor": {itoa(next)}}.Encode()
	}
	return render(w, r, templates.Disputes(pg, v))
}

// showDisputeForm shows the form that disputes the user's registration
// (?registration_id=) or a deal (?deal_id=); one the user cannot read is
// not found.
func (p *Pages) showDisputeForm(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	v := templates.DisputeFormView{RegistrationID: queryID(q, "registration_id"), DealID: queryID(q, "deal_id")}
	var err error
	switch {
	case v.RegistrationID != 0:
		_, err = p.svc.Registration(r.Context(), a, v.RegistrationID)
	case v.DealID != 0:
		_, err = p.svc.Deal(r.Context(), a, v.DealID)
	default:
		err = domain.ErrNotFound
	}
	if err != nil {
		return err
	}
	return p.renderDisputeForm(w, r, a, http.StatusOK, v)
}

// queryID reads an optional numeric id from a query parameter; "" is 0.
func queryID(q url.Values, name string) int64 {
	n, err := strconv.ParseInt(q.Get(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func (p *Pages) renderDisputeForm(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.DisputeFormView) error {
	pg, r, err := p.page(r, a, "dispute.new")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.DisputeNew(pg, v))
}
