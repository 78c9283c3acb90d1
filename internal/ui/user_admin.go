package ui

import (
	"net/http"
	"strings"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

func userForm(r *http.Request) (templates.UserForm, domain.UserInput) {
	f := templates.UserForm{
		Username:    strings.TrimSpace(r.PostFormValue("username")),
		DisplayName: r.PostFormValue("display_name"),
		Role:        r.PostFormValue("role"),
		TeamID:      formID(r, "team_id"),
		Region:      strings.TrimSpace(r.PostFormValue("region")),
		Email:       strings.TrimSpace(r.PostFormValue("email")),
	}
	return f, domain.UserInput{Username: f.Username, DisplayName: f.DisplayName, Role: domain.Role(f.Role),
		TeamID: f.TeamID, Region: f.Region, Email: f.Email, Password: r.PostFormValue("password")}
}

func (p *Pages) usersView(r *http.Request, a domain.Actor, v templates.UsersView) (templates.UsersView, error) {
	var err error
	if v.Users, err = p.svc.Users(r.Context(), a); err != nil {
		return v, err
	}
	v.Teams, err = p.svc.Teams(r.Context(), a)
	return v, err
}

func (p *Pages) listUsers(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pg, r, err := p.page(r, a, "nav.users")
	if err != nil {
		return err
	}
	v, err := p.usersView(r, a, templates.UsersView{Form: templates.UserForm{Role: string(domain.RoleSales)}})
	if err != nil {
		return err
	}
	return render(w, r, templates.Users(pg, v))
}

func (p *Pages) createUser(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	form, in := userForm(r)
	_, err := p.svc.CreateUser(r.Context(), a, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		status := httperr.Status(err)
		pg, r, err := p.page(r, a, "nav.users")
		if err != nil {
			return err
		}
		v, err := p.usersView(r, a, templates.UsersView{Form: form, Errors: errs, FormError: msg})
		if err != nil {
			return err
		}
		return renderStatus(w, r, status, templates.Users(pg, v))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/users", "flash.saved")
}

func (p *Pages) showUser(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	uid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := p.svc.User(r.Context(), a, uid)
	if err != nil {
		return err
	}
	form := templates.UserForm{Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), TeamID: u.TeamID, Region: u.Region, Email: u.Email}
	return p.renderUserEdit(w, r, a, http.StatusOK, templates.UserEditView{User: u, Form: form})
}

func (p *Pages) renderUserEdit(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.UserEditView) error {
	pg, r, err := p.page(r, a, "nav.users")
	if err != nil {
		return err
	}
	if v.Teams, err = p.svc.Teams(r.Context(), a); err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.UserEdit(pg, v))
}

// userChange runs one change to a user and answers the edit page: the
// redirect on success, the page with the errors on a validation failure.
func (p *Pages) userChange(w http.ResponseWriter, r *http.Request, a domain.Actor, change func(uid int64) error) error {
	uid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = change(uid)
	if errs, msg, ok := fieldErrors(r, err); ok {
		u, uerr := p.svc.User(r.Context(), a, uid)
		if uerr != nil {
			return uerr
		}
		form, _ := userForm(r)
		if form.DisplayName == "" {
			form = templates.UserForm{Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), TeamID: u.TeamID, Region: u.Region, Email: u.Email}
		}
		return p.renderUserEdit(w, r, a, httperr.Status(err), templates.UserEditView{User: u, Form: form, Errors: errs, FormError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/users/"+itoa(uid), "flash.saved")
}

func (p *Pages) updateUser(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.userChange(w, r, a, func(uid int64) error {
		_, in := userForm(r)
		_, err := p.svc.UpdateUser(r.Context(), a, uid, in)
		return err
	})
}

func (p *Pages) resetPassword(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.userChange(w, r, a, func(uid int64) error {
		return p.svc.ResetPassword(r.Context(), a, uid, r.PostFormValue("password"))
	})
}

func (p *Pages) setUserActive(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.userChange(w, r, a, func(uid int64) error {
		return p.svc.SetActive(r.Context(), a, uid, r.PostFormValue("active") == "true")
	})
}
