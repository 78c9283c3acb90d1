package ui

import (
	"errors"
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/templates"
)

// showRegistrationForm shows the new-registration form (新建报备), empty
// or with the customer's name and kind from ?name= and ?kind= (the public
// pool's "register" link).
func (p *Pages) showRegistrationForm(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	kind := domain.KindCompany
	if k := domain.CustomerKind(r.URL.Query().Get("kind")); k.Valid() {
		kind = k
	}
	return p.renderRegistrationForm(w, r, a, http.StatusOK, templates.RegistrationNewView{
		Form: templates.RegistrationForm{Kind: string(kind), Name: searchText(r.URL.Query().Get("name")),
			Contacts: []templates.ContactForm{{Relation: "self"}}},
	})
}

func (p *Pages) renderRegistrationForm(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.RegistrationNewView) error {
	pg, r, err := p.page(r, a, "nav.registration_new")
	if err != nil {
		return err
	}
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	v.TimeZone = pol.Location().String()
	return renderStatus(w, r, status, templates.NewRegistration(pg, v))
}

// createRegistration files the posted registration. Unreadable or invalid
// input brings the form back (422) with a message beside each field; the
// actor's own live claim on the customer (409) brings it back with a link
// to that claim; otherwise it is filed — active, pending, or lost to
// another claim — and the user sees it (303).
func (p *Pages) createRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	in, parseErrs := registrationInput(r, pol.Location())
	var reg domain.Registration
	if len(parseErrs) > 0 {
		err = domain.Invalid(in.Validate())
	} else {
		reg, err = p.svc.Register(r.Context(), a, in)
	}
	v := templates.RegistrationNewView{Form: registrationForm(r)}
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeDuplicate {
		v.DuplicateID = de.ExistingID
		v.FormError = de.Message.In(i18n.FromContext(r.Context()))
		return p.renderRegistrationForm(w, r, a, http.StatusConflict, v)
	}
	if errs, msg, ok := fieldErrors(r, err); ok {
		for k, m := range parseErrs {
			errs[k] = m
		}
		v.Errors, v.FormError = errs, msg
		return p.renderRegistrationForm(w, r, a, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/registrations/"+itoa(reg.ID), "flash.registered."+string(reg.Status))
}
