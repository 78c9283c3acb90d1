package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/templates"
)

// dealRecorders may record deals (api.md: sales+, clerk).
var dealRecorders = []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleAdmin, domain.RoleClerk}

// listDeals lists the deals the user reads (?status=unclaimed: every
// unclaimed deal), with the record form and a manager's claims to decide.
func (p *Pages) listDeals(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	form := templates.DealForm{Kind: string(domain.KindCompany), Relation: "self"}
	if a.Is(domain.RoleSales, domain.RoleManager) {
		form.SignerID = itoa(a.UserID)
	}
	return p.renderDeals(w, r, a, http.StatusOK, templates.DealsView{Form: form})
}

func (p *Pages) renderDeals(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.DealsView) error {
	q := r.URL.Query()
	f := domain.DealFilter{Query: searchText(q.Get("q")), Limit: listPageSize, Cursor: cursor(q)}
	if s := domain.DealStatus(q.Get("status")); slices.Contains(domain.DealStatuses, s) {
		f.Status = s
	}
	rows, next, err := p.svc.Deals(r.Context(), a, f)
	if err != nil {
		return err
	}
	v.Rows, v.Status, v.Query = rows, string(f.Status), f.Query
	if next != 0 {
		v.NextURL = "/deals?" + url.Values{"status": {v.Status}, "q": {v.Query}, "cursor": {itoa(next)}}.Encode()
	}
	v.CanRecord = a.Is(dealRecorders...)
	if v.CanRecord {
		if v.Signers, err = p.salespeople(r, a); err != nil {
			return err
		}
	}
	if v.Claims, err = p.svc.PendingDealClaims(r.Context(), a); err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.deals")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.Deals(pg, v))
}

// createDeal records the posted deal and shows it with its attribution
// (303). Unreadable or invalid input brings the form back (422), a
// contract number recorded before too (409).
func (p *Pages) createDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	loc, err := p.location(r, a)
	if err != nil {
		return err
	}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	form := templates.DealForm{ContractNo: v("contract_no"), Kind: v("customer.kind"), Name: v("customer.name"), USCC: v("customer.uscc"),
		ContactName: v("customer.contacts.0.name"), ContactPhone: v("customer.contacts.0.phone"), Relation: v("customer.contacts.0.relation"),
		BuyerPhone: v("buyer_phone"), SignedAt: v("signed_at"), Amount: v("amount"), SignerID: v("signer_id")}
	in := domain.DealInput{ContractNo: form.ContractNo, BuyerPhone: form.BuyerPhone, SignerID: formID(r, "signer_id"),
		Customer: domain.Customer{Kind: domain.CustomerKind(form.Kind), Name: form.Name, USCC: form.USCC}}
	if form.ContactName != "" || form.ContactPhone != "" {
		in.Customer.Contacts = []domain.Contact{{Name: form.ContactName, Phone: form.ContactPhone, Relation: form.Relation}}
	}
	parseErrs := map[string]string{}
	if form.SignedAt != "" {
		if tm, err := parseLocalTime(form.SignedAt, loc); err == nil {
			in.SignedAt = &tm
		} else {
			parseErrs["signed_at"] = i18n.T(r.Context(), "reg.error.bad_time")
		}
	}
	if form.Amount != "" {
		if amount, err := parseAmount(form.Amount); err == nil {
			in.Amount = &amount
		} else {
			parseErrs["amount"] = i18n.T(r.Context(), "reg.error.bad_amount")
		}
	}
	var d domain.Deal
	if len(parseErrs) > 0 {
		err = domain.Invalid(nil)
	} else {
		d, err = p.svc.RecordDeal(r.Context(), a, in)
	}
	if errs, msg, ok := fieldErrors(r, err); ok {
		for k, m := range parseErrs {
			errs[k] = m
		}
		return p.renderDeals(w, r, a, httperr.Status(err), templates.DealsView{Form: form, Errors: errs, FormError: msg, OpenForm: true})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/deals/"+itoa(d.ID), "flash.deal."+string(d.Status))
}
