package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// listReviews is the review queue (待审核): the registrations waiting for
// a reviewer the user may see, newest first.
func (p *Pages) listReviews(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderReviews(w, r, a, http.StatusOK, "")
}

func (p *Pages) renderReviews(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, formError string) error {
	f := domain.RegistrationFilter{Status: domain.StatusPendingReview, Limit: listPageSize, Cursor: cursor(r.URL.Query())}
	regs, next, err := p.svc.Registrations(r.Context(), a, f)
	if err != nil {
		return err
	}
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.reviews")
	if err != nil {
		return err
	}
	v := templates.ReviewsView{FormError: formError}
	now := p.svc.Now()
	for _, reg := range regs {
		v.Rows = append(v.Rows, registrationRow(reg, pol, now))
	}
	if next != 0 {
		v.NextURL = "/reviews?cursor=" + itoa(next)
	}
	return renderStatus(w, r, status, templates.Reviews(pg, v))
}

// reviewRegistration approves or rejects a registration waiting for
// review (decision=approve|reject, reason). Asked by htmx (HX-Request),
// it answers the queue's updated row; a plain post goes back (303) to the
// queue, or to the registration when from=detail, with a flash. A refusal
// (say, rejecting without a reason) shows beside the buttons.
func (p *Pages) reviewRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	decision := r.PostFormValue("decision")
	if decision != "approve" && decision != "reject" {
		return errBadForm
	}
	fromDetail := r.PostFormValue("from") == "detail"
	htmx := r.Header.Get("HX-Request") == "true"
	w.Header().Add("Vary", "HX-Request")

	reg, err := p.svc.Review(r.Context(), a, id, decision == "approve", r.PostFormValue("reason"))
	if errs, msg, ok := fieldErrors(r, err); ok {
		if m := errs["reason"]; m != "" {
			msg = m
		} else {
			msg = joinErrors(msg, errs)
		}
		switch {
		case htmx:
			cur, err := p.svc.Registration(r.Context(), a, id)
			if err != nil {
				return err
			}
			// 200, or htmx would not swap the row in.
			return p.renderReviewRow(w, r, a, templates.RegistrationRow{Reg: cur, Error: msg})
		case fromDetail:
			return p.renderRegistration(w, r, a, id, httperr.Status(err), msg)
		}
		return p.renderReviews(w, r, a, httperr.Status(err), msg)
	}
	if err != nil {
		return err
	}
	outcome := "approved"
	if decision == "reject" {
		outcome = "rejected"
	}
	switch {
	case htmx:
		return p.renderReviewRow(w, r, a, templates.RegistrationRow{Reg: reg, Outcome: outcome})
	case fromDetail:
		return p.redirect(w, r, "/registrations/"+itoa(id), "review."+outcome)
	}
	return p.redirect(w, r, "/reviews", "review."+outcome)
}

// renderReviewRow answers htmx with one row of the review queue.
func (p *Pages) renderReviewRow(w http.ResponseWriter, r *http.Request, a domain.Actor, row templates.RegistrationRow) error {
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	r = r.WithContext(templates.WithLocation(r.Context(), pol.Location()))
	return render(w, r, templates.ReviewRow(row))
}
