package ui

import (
	"net/http"
	"net/url"

	"baobei/internal/domain"
	"baobei/templates"
)

// listCustomers lists the customers the user may see with their grades
// (客户分级), filtered by ?grade= and part of the name (?q=).
func (p *Pages) listCustomers(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	f := domain.CustomerFilter{Grade: domain.CustomerGrade(q.Get("grade")), Query: searchText(q.Get("q")), Limit: listPageSize, Cursor: cursor(q)}
	rows, next, err := p.svc.Customers(r.Context(), a, f)
	if err != nil {
		return err
	}
	v := templates.CustomersView{Rows: rows, Grade: string(f.Grade), Query: f.Query, ShowOwner: !a.Is(domain.RoleSales)}
	if next != 0 {
		v.NextURL = "/customers?" + url.Values{"grade": {v.Grade}, "q": {v.Query}, "cursor": {itoa(next)}}.Encode()
	}
	pg, r, err := p.page(r, a, "nav.customers")
	if err != nil {
		return err
	}
	return render(w, r, templates.Customers(pg, v))
}
