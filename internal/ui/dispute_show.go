package ui

import (
	"errors"
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/templates"
)

// createDispute files the posted dispute (registration_id or deal_id,
// reason, evidence, files) and shows its case (303). Bad input, a burst
// (429) or a second statement (409, with a link to the case) bring the
// form back; a claim the user is no party to is refused (403/404).
func (p *Pages) createDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	v := templates.DisputeFormView{RegistrationID: formID(r, "registration_id"), DealID: formID(r, "deal_id"),
		Reason: r.PostFormValue("reason"), Evidence: r.PostFormValue("evidence")}
	ups, err := uploadsOf(r, "files")
	if err != nil {
		return err
	}
	d, err := p.svc.OpenDispute(r.Context(), a, domain.DisputeInput{RegistrationID: v.RegistrationID, DealID: v.DealID,
		Reason: v.Reason, Evidence: v.Evidence, Uploads: ups})
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeDuplicate {
		v.ExistingID = de.ExistingID
	}
	if errs, msg, ok := fieldErrors(r, err); ok {
		v.Errors, v.FormError = errs, msg
		return p.renderDisputeForm(w, r, a, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/disputes/"+itoa(d.ID), "flash.dispute.opened")
}

// showDispute shows a case to its parties and deciders; anyone else gets
// 404.
func (p *Pages) showDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderDispute(w, r, a, id, http.StatusOK, templates.DisputeDetailView{})
}

func (p *Pages) renderDispute(w http.ResponseWriter, r *http.Request, a domain.Actor, id int64, status int, v templates.DisputeDetailView) error {
	d, err := p.svc.Dispute(r.Context(), a, id)
	if err != nil {
		return err
	}
	v.D = d
	v.Statement.DealID = d.DealID
	for _, c := range d.Claims {
		if c.UserID == a.UserID && c.Registration != nil && d.Kind == domain.DisputeConflict {
			v.Statement.RegistrationID = c.Registration.ID
		}
	}
	pg, r, err := p.page(r, a, "dispute.title")
	if err != nil {
		return err
	}
	pg.Title = d.CustomerName + " · " + i18n.T(r.Context(), "dispute.title")
	return renderStatus(w, r, status, templates.DisputeDetail(pg, v))
}

// decideDispute records the decider's decision (winner_registration_id or
// winner_user_id, reason); a refusal shows on the case (422).
func (p *Pages) decideDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := domain.DisputeDecisionInput{WinnerRegistrationID: formID(r, "winner_registration_id"),
		WinnerUserID: formID(r, "winner_user_id"), Reason: r.PostFormValue("reason")}
	_, err = p.svc.DecideDispute(r.Context(), a, id, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDispute(w, r, a, id, httperr.Status(err), templates.DisputeDetailView{
			DecisionReason: in.Reason, Error: joinErrors(msg, errs)})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/disputes/"+itoa(id), "flash.dispute.decided")
}

// appealDispute files the losing party's appeal (reason); a refusal shows
// on the case.
func (p *Pages) appealDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	_, err = p.svc.AppealDispute(r.Context(), a, id, reason)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDispute(w, r, a, id, httperr.Status(err), templates.DisputeDetailView{
			AppealReason: reason, Error: joinErrors(msg, errs)})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/disputes/"+itoa(id), "flash.dispute.appealed")
}
