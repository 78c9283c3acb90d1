package ui

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

func (p *Pages) renderSettings(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.SettingsView) error {
	pg, r, err := p.page(r, a, "nav.settings")
	if err != nil {
		return err
	}
	if v.Tokens, err = p.svc.Tokens(r.Context(), a); err != nil {
		return err
	}
	if v.Sessions, err = p.svc.Sessions(r.Context(), a, p.sm.Token(r.Context())); err != nil {
		return err
	}
	if v.TokenForm.Expires == "" {
		v.TokenForm = templates.TokenForm{Scope: domain.ScopeWrite, Expires: defaultTokenDays}
	}
	return renderStatus(w, r, status, templates.Settings(pg, v))
}

func (p *Pages) showSettings(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderSettings(w, r, a, http.StatusOK, templates.SettingsView{})
}

func (p *Pages) changePassword(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.changeOwnPassword(w, r, a, "/settings", func(status int, errs map[string]string) error {
		return p.renderSettings(w, r, a, status, templates.SettingsView{Errors: errs})
	})
}

// changeOwnPassword changes the actor's password from the posted fields
// current and password: on success the session gets a new token and the
// browser goes to next; field errors go to invalid to re-render the form.
func (p *Pages) changeOwnPassword(w http.ResponseWriter, r *http.Request, a domain.Actor, next string, invalid func(status int, errs map[string]string) error) error {
	err := p.svc.ChangePassword(r.Context(), a, r.PostFormValue("current"), r.PostFormValue("password"))
	if errs, _, ok := fieldErrors(r, err); ok {
		return invalid(httperr.Status(err), errs)
	}
	if err != nil {
		return err
	}
	// A privilege-relevant change: issue a new session token.
	if err := p.sm.RenewToken(r.Context()); err != nil {
		return err
	}
	return p.redirect(w, r, next, "flash.saved")
}

// defaultTokenDays is the token form's lifetime until the user picks
// another, and what a post without one gets.
const defaultTokenDays = "90"

// tokenForm reads the token form: name, scope, and an expiry of a number
// of days or, with "date", the day in expires_on.
func tokenForm(r *http.Request) (templates.TokenForm, domain.TokenInput) {
	f := templates.TokenForm{
		Name:      strings.TrimSpace(r.PostFormValue("name")),
		Scope:     r.PostFormValue("scope"),
		Expires:   cmp.Or(r.PostFormValue("expires"), defaultTokenDays),
		ExpiresOn: strings.TrimSpace(r.PostFormValue("expires_on")),
	}
	in := domain.TokenInput{Name: f.Name, Scope: f.Scope}
	if f.Expires == "date" {
		in.ExpiresOn = f.ExpiresOn
		if in.ExpiresOn == "" {
			in.ExpiresOn = "-" // chose a date but gave none: invalid, not "never"
		}
	} else {
		days, _ := strconv.Atoi(f.Expires) // not a number: 0, out of range
		in.ExpiresInDays = &days
	}
	return f, in
}

// issueToken shows the new token once, on the page itself (never in a
// redirect or the session).
func (p *Pages) issueToken(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	form, in := tokenForm(r)
	tok, err := p.svc.IssueTokenWith(r.Context(), a, in)
	if errs, _, ok := fieldErrors(r, err); ok {
		return p.renderSettings(w, r, a, httperr.Status(err), templates.SettingsView{TokenForm: form, TokenErrors: errs})
	}
	if err != nil {
		return err
	}
	return p.renderSettings(w, r, a, http.StatusOK, templates.SettingsView{NewToken: tok})
}

func (p *Pages) revokeToken(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	tid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.svc.RevokeToken(r.Context(), a, tid); err != nil {
		return err
	}
	return p.redirect(w, r, "/settings", "flash.revoked")
}

func (p *Pages) listNotifications(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pg, r, err := p.page(r, a, "nav.notifications")
	if err != nil {
		return err
	}
	items, err := p.svc.Notifications(r.Context(), a, 200)
	if err != nil {
		return err
	}
	return render(w, r, templates.Notifications(pg, templates.NotificationsView{Items: items}))
}

// markRead marks the listed notifications (field id, repeated) read, or
// all of them when none are listed.
func (p *Pages) markRead(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, n)
		}
	}
	if err := p.svc.MarkRead(r.Context(), a, ids); err != nil {
		return err
	}
	return p.redirect(w, r, "/notifications", "")
}
