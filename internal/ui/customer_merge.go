package ui

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// showMerge is the "merge into…" flow: ?q= finds customers to merge into,
// ?into= previews what merging into that one would move and which
// conflicts arise, with the confirmation form.
func (p *Pages) showMerge(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := templates.MergeView{Query: searchText(q.Get("q"))}
	v.IntoID, _ = strconv.ParseInt(q.Get("into"), 10, 64)
	if v.Query != "" {
		if v.Candidates, _, err = p.svc.Customers(r.Context(), a, domain.CustomerFilter{Query: v.Query, Limit: listPageSize}); err != nil {
			return err
		}
	}
	status := http.StatusOK
	if v.IntoID != 0 {
		preview, err := p.svc.PreviewMerge(r.Context(), a, id, v.IntoID)
		if errs, msg, ok := fieldErrors(r, err); ok {
			v.Error, status = joinErrors(msg, errs), httperr.Status(err)
		} else if err != nil {
			return err
		} else {
			v.Preview = &preview
		}
	}
	return p.renderMerge(w, r, a, id, status, v)
}

// renderMerge renders the merge flow of customer id with status.
func (p *Pages) renderMerge(w http.ResponseWriter, r *http.Request, a domain.Actor, id int64, status int, v templates.MergeView) error {
	c, err := p.svc.CustomerRecord(r.Context(), a, id)
	if err != nil {
		return err
	}
	v.C = c
	pg, r, err := p.page(r, a, "merge.into")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.MergePage(pg, v))
}

// mergeCustomer merges customer {id} into into_id with a reason and goes
// to the survivor (303); a refusal shows the preview again with the
// messages.
func (p *Pages) mergeCustomer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := domain.MergeInput{IntoID: formID(r, "into_id"), Reason: r.PostFormValue("reason")}
	out, err := p.svc.Merge(r.Context(), a, id, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		v := templates.MergeView{IntoID: in.IntoID, Reason: in.Reason, Errors: errs, Error: msg}
		if preview, perr := p.svc.PreviewMerge(r.Context(), a, id, in.IntoID); perr == nil {
			v.Preview = &preview
		} else {
			v.Error = joinErrors(msg, errs)
		}
		return p.renderMerge(w, r, a, id, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/customers/"+itoa(out.TargetID), "flash.merged")
}
