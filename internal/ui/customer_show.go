package ui

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// customerRoutes registers a customer's record page and its merge, undo
// and split (客户合并与拆分).
func (p *Pages) customerRoutes(r chi.Router) {
	readers := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	deciders := []domain.Role{domain.RoleManager, domain.RoleAdmin}
	r.Get("/customers/{id}", p.signedIn(p.showCustomer, readers...))
	r.Get("/customers/{id}/merge", p.signedIn(p.showMerge, deciders...))
	r.Post("/customers/{id}/merge", p.signedIn(p.mergeCustomer, deciders...))
	r.Post("/customers/{id}/undo-merge", p.signedIn(p.undoMerge, deciders...))
	r.Post("/customers/{id}/split", p.signedIn(p.splitCustomer, deciders...))
}

// showCustomer shows a customer's record.
func (p *Pages) showCustomer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderCustomer(w, r, a, id, http.StatusOK, templates.CustomerView{})
}

// renderCustomer renders customer id's record page with status and the
// forms of v.
func (p *Pages) renderCustomer(w http.ResponseWriter, r *http.Request, a domain.Actor, id int64, status int, v templates.CustomerView) error {
	c, err := p.svc.CustomerRecord(r.Context(), a, id)
	if err != nil {
		return err
	}
	v.C = c
	pg, r, err := p.page(r, a, "merge.title")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.CustomerRecordPage(pg, v))
}

// splitCustomer moves the ticked registrations (registration_ids) to a
// new customer with a reason and goes to it (303); a refusal shows the
// record again with the messages.
func (p *Pages) splitCustomer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := templates.SplitForm{Reason: r.PostFormValue("reason")}
	for _, s := range r.PostForm["registration_ids"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			form.Chosen = append(form.Chosen, n)
		}
	}
	c, err := p.svc.Split(r.Context(), a, id, domain.SplitInput{RegistrationIDs: form.Chosen, Reason: form.Reason})
	if errs, msg, ok := fieldErrors(r, err); ok {
		form.Errors, form.Error = errs, msg
		return p.renderCustomer(w, r, a, id, httperr.Status(err), templates.CustomerView{Split: form})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/customers/"+itoa(c.ID), "flash.split")
}

// undoMerge undoes the merge of customer {id} with a reason and goes to
// it (303); a refusal shows the record again with the message.
func (p *Pages) undoMerge(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := templates.UndoForm{ID: id, Reason: r.PostFormValue("reason")}
	_, err = p.svc.UndoMerge(r.Context(), a, id, form.Reason)
	if errs, msg, ok := fieldErrors(r, err); ok {
		form.Error = joinErrors(msg, errs)
		return p.renderCustomer(w, r, a, id, httperr.Status(err), templates.CustomerView{Undo: form})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/customers/"+itoa(id), "flash.unmerged")
}
