package ui

import (
	"net/http"

	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/internal/session"
	"baobei/templates"
)

func (p *Pages) showLogin(w http.ResponseWriter, r *http.Request) {
	if _, ok := session.ActorFrom(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	pg := templates.Page{Title: i18n.T(r.Context(), "login.title")}
	_ = render(w, r, templates.Login(pg, templates.LoginView{Tenant: r.URL.Query().Get("tenant")}))
}

func (p *Pages) login(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		p.renderError(w, r, err)
		return
	}
	v := templates.LoginView{Tenant: r.PostFormValue("tenant"), Username: r.PostFormValue("username")}
	a, lang, err := p.svc.SignIn(r.Context(), v.Tenant, v.Username, r.PostFormValue("password"), session.ClientAddr(r))
	if err == nil {
		err = p.sm.SignIn(r, a, lang)
	}
	if err != nil {
		status := httperr.Status(err)
		if status >= 500 {
			p.renderError(w, r, err)
			return
		}
		v.Error = httperr.Message(r, err)
		_ = renderStatus(w, r, status, templates.Login(templates.Page{Title: i18n.T(r.Context(), "login.title")}, v))
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	if err := p.sm.SignOut(r.Context()); err != nil {
		p.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setLang switches the interface language: remembered for a signed-in user,
// in a cookie for anyone.
func (p *Pages) setLang(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		p.renderError(w, r, err)
		return
	}
	lang := i18n.Parse(r.PostFormValue("lang"))
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if a, ok := session.ActorFrom(r); ok {
		if err := p.svc.SetLang(r.Context(), a, lang); err != nil {
			p.renderError(w, r, err)
			return
		}
		p.sm.SetLang(r.Context(), lang)
	}
	http.Redirect(w, r, safeBack(r), http.StatusSeeOther)
}
