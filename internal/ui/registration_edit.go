package ui

import (
	"errors"
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/templates"
)

// showRegistrationEdit shows the correction form of a registration (修改报备),
// filled with its details, to its owner and their manager; other readers
// get 403, everyone else 404.
func (p *Pages) showRegistrationEdit(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reg, err := p.svc.Registration(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !reg.EditableBy(a) {
		return domain.ErrForbidden
	}
	return p.renderRegistrationEdit(w, r, a, http.StatusOK, templates.RegistrationEditView{ID: id, Name: reg.Customer.Name,
		RegistrationNewView: templates.RegistrationNewView{Form: registrationFormOf(reg)}})
}

// saveRegistrationEdit corrects the registration from the posted form and
// goes back to its page (303) — where it may now show as rejected or in
// dispute, when an added key collided with another owner's claim. Bad
// input shows the form again with its messages.
func (p *Pages) saveRegistrationEdit(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	in, parseErrs := registrationInput(r, pol.Location())
	var reg domain.Registration
	if len(parseErrs) > 0 {
		err = domain.Invalid(in.Validate())
	} else {
		reg, err = p.svc.EditRegistration(r.Context(), a, id, patchOf(in))
	}
	v := templates.RegistrationEditView{ID: id, Name: r.PostFormValue("customer.name"),
		RegistrationNewView: templates.RegistrationNewView{Form: registrationForm(r)}}
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeDuplicate {
		v.DuplicateID = de.ExistingID
		v.FormError = de.Message.In(i18n.FromContext(r.Context()))
		return p.renderRegistrationEdit(w, r, a, http.StatusConflict, v)
	}
	if errs, msg, ok := fieldErrors(r, err); ok {
		for k, m := range parseErrs {
			errs[k] = m
		}
		v.Errors, v.FormError = errs, msg
		return p.renderRegistrationEdit(w, r, a, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/registrations/"+itoa(id), "flash.edited."+string(reg.Status))
}

func (p *Pages) renderRegistrationEdit(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.RegistrationEditView) error {
	pg, r, err := p.page(r, a, "edit.title")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.RegistrationEdit(pg, v))
}

// registrationFormOf is the edit form filled with reg's correctable details.
func registrationFormOf(reg domain.Registration) templates.RegistrationForm {
	c := reg.Customer
	f := templates.RegistrationForm{Kind: string(c.Kind), Name: c.Name, USCC: c.USCC, Industry: c.Industry, Size: c.Size,
		Region: c.Region, Address: c.Address, Project: c.Project, Grade: reg.Grade, Needs: reg.Needs}
	for _, ct := range c.Contacts {
		f.Contacts = append(f.Contacts, templates.ContactForm{Name: ct.Name, Title: ct.Title, Phone: ct.Phone, Relation: ct.Relation})
	}
	if reg.ExpectedAmount != nil {
		f.ExpectedAmount = strconv.FormatFloat(*reg.ExpectedAmount, 'f', -1, 64)
	}
	return f
}

// patchOf is the correction the edit form makes: every correctable field
// as posted; an empty expected amount leaves it as it was.
func patchOf(in domain.RegistrationInput) domain.RegistrationPatch {
	c := in.Customer
	return domain.RegistrationPatch{
		Customer: &domain.CustomerPatch{Kind: &c.Kind, Name: &c.Name, USCC: &c.USCC, Industry: &c.Industry, Size: &c.Size,
			Region: &c.Region, Address: &c.Address, Project: &c.Project, Contacts: &c.Contacts},
		Grade: &in.Grade, Needs: &in.Needs, ExpectedAmount: in.ExpectedAmount,
	}
}
