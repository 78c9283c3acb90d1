package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// listDealers lists the dealer registrations the user may read, newest
// first, with the dealer approval chain (editable by admins).
func (p *Pages) listDealers(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderDealers(w, r, a, http.StatusOK, "")
}

func (p *Pages) renderDealers(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, chainError string) error {
	q := r.URL.Query()
	f := domain.DealerFilter{Status: q.Get("status"), Limit: listPageSize, Cursor: cursor(q)}
	if !slices.Contains([]string{domain.ChainPending, domain.ChainReturned, domain.ChainApproved}, f.Status) {
		f.Status = ""
	}
	rows, next, err := p.svc.Dealers(r.Context(), a, f)
	if err != nil {
		return err
	}
	chain, err := p.svc.ApprovalChain(r.Context(), a, domain.ChainDealer)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "dealer.title")
	if err != nil {
		return err
	}
	v := templates.DealersView{Rows: rows, Status: f.Status, CanSubmit: true, Chain: chain,
		EditChain: a.Is(domain.RoleAdmin), ChainError: chainError}
	if next != 0 {
		v.NextURL = "/dealers?" + url.Values{"status": {f.Status}, "cursor": {itoa(next)}}.Encode()
	}
	return renderStatus(w, r, status, templates.Dealers(pg, v))
}

// saveDealerChain sets the dealer approval chain from a list of roles
// ("clerk, manager, admin"); a bad list shows on the page (422).
func (p *Pages) saveDealerChain(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var roles []domain.Role
	for _, s := range strings.FieldsFunc(r.PostFormValue("roles"), func(c rune) bool {
		return c == ',' || c == '，' || c == ' ' || c == '→' || c == '>'
	}) {
		roles = append(roles, domain.Role(strings.ToLower(s)))
	}
	err := p.svc.SetApprovalChain(r.Context(), a, domain.ChainDealer, roles)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDealers(w, r, a, httperr.Status(err), joinErrors(msg, errs))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/dealers", "flash.chain.saved")
}

// showDealerForm shows the empty dealer form (新经销商报备).
func (p *Pages) showDealerForm(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderDealerForm(w, r, a, http.StatusOK, templates.DealerFormView{})
}

func (p *Pages) renderDealerForm(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.DealerFormView) error {
	pg, r, err := p.page(r, a, "dealer.new")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.DealerNew(pg, v))
}

// dealerInput reads the posted dealer form and its documents.
func dealerInput(r *http.Request) (domain.DealerInput, templates.DealerForm, error) {
	f := templates.DealerForm{Company: r.PostFormValue("company"), Bank: r.PostFormValue("bank"),
		BankAccount: r.PostFormValue("bank_account"), TaxNo: r.PostFormValue("tax_no"),
		Address: r.PostFormValue("address"), Phone: r.PostFormValue("phone")}
	in := domain.DealerInput{Company: f.Company, Bank: f.Bank, BankAccount: f.BankAccount, TaxNo: f.TaxNo,
		Address: f.Address, Phone: f.Phone, Uploads: map[string][]domain.Upload{}}
	for _, d := range domain.DealerDocs {
		ups, err := uploadsOf(r, d.Purpose)
		if err != nil {
			return in, f, err
		}
		if len(ups) > 0 {
			in.Uploads[d.Purpose] = ups
		}
	}
	return in, f, nil
}

// createDealer submits the posted dealer with its documents and shows it
// (303); bad input brings the form back (files must be chosen again).
func (p *Pages) createDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	in, form, err := dealerInput(r)
	if err != nil {
		return err
	}
	d, err := p.svc.SubmitDealer(r.Context(), a, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDealerForm(w, r, a, httperr.Status(err), templates.DealerFormView{Form: form, Errors: errs, FormError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/dealers/"+itoa(d.ID), "flash.dealer.submitted")
}
