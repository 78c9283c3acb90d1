package ui

import (
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
	return renderStatus(w, r, status, templates.Settings(pg, v))
}

func (p *Pages) showSettings(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderSettings(w, r, a, http.StatusOK, templates.SettingsView{})
}

func (p *Pages) changePassword(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	err := p.svc.ChangePassword(r.Context(), a, r.PostFormValue("current"), r.PostFormValue("password"))
	if errs, _, ok := fieldErrors(r, err); ok {
		return p.renderSettings(w, r, a, httperr.Status(err), templates.SettingsView{Errors: errs})
	}
	if err != nil {
		return err
	}
	// A privilege-relevant change: issue a new session token.
	if err := p.sm.RenewToken(r.Context()); err != nil {
		return err
	}
	return p.redirect(w, r, "/settings", "flash.saved")
}

// issueToken shows the new token once, on the page itself (never in a
// redirect or the session).
func (p *Pages) issueToken(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	tok, err := p.svc.IssueToken(r.Context(), a, strings.TrimSpace(r.PostFormValue("name")))
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
