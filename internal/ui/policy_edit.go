package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

func (p *Pages) showPolicy(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.policy")
	if err != nil {
		return err
	}
	return render(w, r, templates.PolicyForm(pg, templates.PolicyView{Values: pol.FormValues()}))
}

// updatePolicy saves the settings form; on a validation error the form
// comes back with what was typed and a message beside each wrong setting.
func (p *Pages) updatePolicy(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	_, err := p.svc.UpdatePolicy(r.Context(), a, domain.PolicyPatchFromForm(r.PostForm))
	if errs, msg, ok := fieldErrors(r, err); ok {
		status := httperr.Status(err)
		pg, r, err := p.page(r, a, "nav.policy")
		if err != nil {
			return err
		}
		return renderStatus(w, r, status, templates.PolicyForm(pg, templates.PolicyView{Values: r.PostForm, Errors: errs, FormError: msg}))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/policy", "flash.saved")
}
