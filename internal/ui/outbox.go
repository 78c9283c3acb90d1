package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// outboxRoutes registers the admin's outbound notification pages: the
// channels, their settings and the outbox of deliveries.
func (p *Pages) outboxRoutes(r chi.Router) {
	r.Get("/admin/outbox", p.signedIn(p.showOutbox, domain.RoleAdmin))
	r.Post("/admin/outbox/channels", p.signedIn(p.createChannel, domain.RoleAdmin))
	r.Get("/admin/outbox/channels/{id}", p.signedIn(p.showChannel, domain.RoleAdmin))
	r.Post("/admin/outbox/channels/{id}", p.signedIn(p.updateChannel, domain.RoleAdmin))
	r.Post("/admin/outbox/{id}/retry", p.signedIn(p.retryDelivery, domain.RoleAdmin))
}

// channelForm reads the channel form: what to show again and what to save.
func channelForm(r *http.Request) (templates.ChannelForm, domain.ChannelInput) {
	f := templates.ChannelForm{
		Kind:         r.PostFormValue("kind"),
		Name:         r.PostFormValue("name"),
		Enabled:      r.PostFormValue("enabled") == "on",
		Events:       r.PostForm["events"],
		URL:          strings.TrimSpace(r.PostFormValue("url")),
		Keyword:      r.PostFormValue("keyword"),
		Markdown:     r.PostFormValue("markdown") == "on",
		SMTPHost:     r.PostFormValue("smtp_host"),
		SMTPPort:     strings.TrimSpace(r.PostFormValue("smtp_port")),
		SMTPUsername: r.PostFormValue("smtp_username"),
		SMTPFrom:     r.PostFormValue("smtp_from"),
	}
	port, _ := strconv.Atoi(f.SMTPPort) // not a number: 0, which validation refuses for e-mail
	return f, domain.ChannelInput{Kind: f.Kind, Name: f.Name, Enabled: f.Enabled, Events: f.Events, URL: f.URL,
		Secret: r.PostFormValue("secret"), Keyword: f.Keyword, Markdown: f.Markdown, SMTPHost: f.SMTPHost, SMTPPort: port,
		SMTPUsername: f.SMTPUsername, SMTPPassword: r.PostFormValue("smtp_password"), SMTPFrom: f.SMTPFrom}
}

// showOutbox is /admin/outbox: the channels, a form to add one and the
// recent deliveries (?cursor= pages back).
func (p *Pages) showOutbox(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	v := templates.OutboxView{Form: templates.ChannelForm{Kind: domain.ChannelWeCom, Enabled: true, Events: domain.OutboundEvents}}
	return p.renderOutbox(w, r, a, http.StatusOK, v)
}

func (p *Pages) renderOutbox(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.OutboxView) error {
	var err error
	if v.Channels, err = p.svc.Channels(r.Context(), a); err != nil {
		return err
	}
	var next int64
	if v.Deliveries, next, err = p.svc.Outbox(r.Context(), a, listPageSize, cursor(r.URL.Query())); err != nil {
		return err
	}
	if next != 0 {
		v.NextURL = "/admin/outbox?cursor=" + itoa(next)
	}
	pg, r, err := p.page(r, a, "nav.outbox")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.Outbox(pg, v))
}

// createChannel adds a channel; a refused form comes back with its errors.
func (p *Pages) createChannel(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	f, in := channelForm(r)
	_, err := p.svc.SaveChannel(r.Context(), a, 0, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderOutbox(w, r, a, httperr.Status(err), templates.OutboxView{Form: f, Errors: errs, FormError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/outbox", "flash.saved")
}

// showChannel is the form that changes one channel; secrets are not shown.
func (p *Pages) showChannel(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := p.svc.Channel(r.Context(), a, id)
	if err != nil {
		return err
	}
	return p.renderChannel(w, r, a, http.StatusOK, templates.ChannelEditView{ID: id, Form: templates.ChannelFormOf(c)})
}

func (p *Pages) renderChannel(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.ChannelEditView) error {
	pg, r, err := p.page(r, a, "outbound.edit")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.ChannelEdit(pg, v))
}

// updateChannel saves the channel form; empty secret fields keep the
// stored secrets.
func (p *Pages) updateChannel(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, in := channelForm(r)
	_, err = p.svc.SaveChannel(r.Context(), a, id, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		c, cerr := p.svc.Channel(r.Context(), a, id)
		if cerr != nil {
			return cerr
		}
		f.CurrentURL, f.SecretSet, f.SMTPPasswordSet = c.URL, c.SecretSet, c.SMTPPasswordSet
		return p.renderChannel(w, r, a, httperr.Status(err), templates.ChannelEditView{ID: id, Form: f, Errors: errs, FormError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/outbox", "flash.saved")
}

// retryDelivery sends a dead or waiting message again as soon as possible.
func (p *Pages) retryDelivery(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.svc.RetryDelivery(r.Context(), a, id); err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/outbox", "flash.retry_queued")
}
