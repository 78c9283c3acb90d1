package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/templates"
)

func (p *Pages) renderPasswordChange(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, errs map[string]string) error {
	pg, r, err := p.page(r, a, "account.password_change")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.PasswordChange(pg, templates.PasswordChangeView{Forced: a.MustChangePassword, Errors: errs}))
}

// showPasswordChange is the password form every page leads to after an
// admin reset the user's password.
func (p *Pages) showPasswordChange(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderPasswordChange(w, r, a, http.StatusOK, nil)
}

// changePasswordForced sets the new password and lets the user go on to
// their home.
func (p *Pages) changePasswordForced(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.changeOwnPassword(w, r, a, "/", func(status int, errs map[string]string) error {
		return p.renderPasswordChange(w, r, a, status, errs)
	})
}
