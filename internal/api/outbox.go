package api

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// outboxRoutes registers the admin's API of outbound notifications: the
// channels and the outbox of deliveries.
func (api *API) outboxRoutes(r chi.Router) {
	admin := []domain.Role{domain.RoleAdmin}
	r.Get("/outbound-channels", api.authed(api.listChannels, admin...))
	r.Post("/outbound-channels", api.authed(api.createChannel, admin...))
	r.Get("/outbound-channels/{id}", api.authed(api.getChannel, admin...))
	r.Put("/outbound-channels/{id}", api.authed(api.updateChannel, admin...))
	r.Get("/outbox", api.authed(api.listOutbox, admin...))
	r.Post("/outbox/{id}/retry", api.authed(api.retryDelivery, admin...))
}

func (api *API) listChannels(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	cs, err := api.svc.Channels(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[domain.Channel]{Items: cs})
	return nil
}

func (api *API) getChannel(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := api.svc.Channel(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// createChannel is POST /outbound-channels → 201 with the channel, its
// secrets shown only as "set".
func (api *API) createChannel(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	in := domain.ChannelInput{Enabled: true}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := api.svc.SaveChannel(r.Context(), a, 0, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// updateChannel is PUT /outbound-channels/{id}: the whole channel; empty
// url, secret and smtp_password keep the stored ones.
func (api *API) updateChannel(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := domain.ChannelInput{Enabled: true}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := api.svc.SaveChannel(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// deliveryJSON is an outbox message with its text in both languages.
type deliveryJSON struct {
	domain.Delivery
	Text i18n.Text `json:"text"`
}

func (api *API) listOutbox(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	cursor, err := cursorParam(r)
	if err != nil {
		return err
	}
	ds, next, err := api.svc.Outbox(r.Context(), a, limit, cursor)
	if err != nil {
		return err
	}
	out := list[deliveryJSON]{Items: make([]deliveryJSON, len(ds))}
	for i, d := range ds {
		out.Items[i] = deliveryJSON{Delivery: d, Text: d.Text}
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// retryDelivery is POST /outbox/{id}/retry → 200 {"id","status":"pending"}.
func (api *API) retryDelivery(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := api.svc.RetryDelivery(r.Context(), a, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": strconv.FormatInt(id, 10), "status": domain.DeliveryPending})
	return nil
}
