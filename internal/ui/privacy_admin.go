package ui

import (
	"encoding/json"
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/internal/sheet"
	"baobei/templates"
)

// showPrivacy is the personal information page, before a look-up.
func (p *Pages) showPrivacy(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderPrivacy(w, r, a, http.StatusOK, templates.PrivacyView{})
}

func (p *Pages) renderPrivacy(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.PrivacyView) error {
	pg, r, err := p.page(r, a, "nav.privacy")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.PrivacyPage(pg, v))
}

// postedLookup reads the contact a privacy form names.
func postedLookup(r *http.Request) domain.PersonLookup {
	return domain.PersonLookup{Phone: r.PostFormValue("phone"), Name: r.PostFormValue("name")}
}

// lookUpPerson shows what is stored about the posted contact (an audited
// export), with the buttons to download or erase it.
func (p *Pages) lookUpPerson(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	l := postedLookup(r)
	v := templates.PrivacyView{Phone: l.Phone, Name: l.Name}
	d, err := p.svc.ExportPersonalData(r.Context(), a, l)
	if errs, msg, ok := fieldErrors(r, err); ok {
		v.Errors, v.FormError = errs, msg
		return p.renderPrivacy(w, r, a, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	v.Data = &d
	return p.renderPrivacy(w, r, a, http.StatusOK, v)
}

// exportPersonalData downloads what is stored about the posted contact as
// a workbook (xlsx) or JSON.
func (p *Pages) exportPersonalData(format string) func(http.ResponseWriter, *http.Request, domain.Actor) error {
	return func(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
		d, err := p.svc.ExportPersonalData(r.Context(), a, postedLookup(r))
		if err != nil {
			return err
		}
		if format == "xlsx" {
			loc, err := p.location(r, a)
			if err != nil {
				return err
			}
			return sheet.RespondPersonalData(r.Context(), w, loc, d)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="personal-data.json"`)
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
}

// erasePerson erases the posted contact once the admin has ticked the
// confirmation.
func (p *Pages) erasePerson(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	l := postedLookup(r)
	if r.PostFormValue("confirm") != "yes" {
		v := templates.PrivacyView{Phone: l.Phone, Name: l.Name, FormError: i18n.T(r.Context(), "privacy.erase.unconfirmed")}
		return p.renderPrivacy(w, r, a, http.StatusUnprocessableEntity, v)
	}
	_, err := p.svc.ErasePersonalData(r.Context(), a, l)
	if errs, msg, ok := fieldErrors(r, err); ok {
		v := templates.PrivacyView{Phone: l.Phone, Name: l.Name, Errors: errs, FormError: msg}
		return p.renderPrivacy(w, r, a, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/privacy", "flash.erased")
}
