package api

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// approvalBody is an approval with its kind and summary in words.
type approvalBody struct {
	domain.Approval
	KindLabel string `json:"kind_label"`
	Summary   string `json:"summary"`
}

func approvalJSON(r *http.Request, a domain.Approval) approvalBody {
	lang := i18n.FromContext(r.Context())
	return approvalBody{a, domain.ApprovalKindLabel(a.Kind).In(lang), a.Summary.In(lang)}
}

// listApprovals lists the pending approvals the caller may decide, newest
// first (GET /approvals?limit=&cursor=).
func (api *API) listApprovals(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	var cursor int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if cursor, err = strconv.ParseInt(c, 10, 64); err != nil || cursor <= 0 {
			return domain.Invalid(map[string]i18n.Text{"cursor": {Zh: "无效的游标", En: "invalid cursor"}})
		}
	}
	as, next, err := api.svc.Approvals(r.Context(), a, limit, cursor)
	if err != nil {
		return err
	}
	out := list[approvalBody]{Items: make([]approvalBody, len(as))}
	for i, x := range as {
		out.Items[i] = approvalJSON(r, x)
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// decideApproval approves or rejects an approval (POST /approvals/{id}
// {"approve","reason"}) → 200 with the decided approval.
func (api *API) decideApproval(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Approve == nil {
		return domain.Invalid(map[string]i18n.Text{"approve": {Zh: "必填 (true 或 false)", En: "required (true or false)"}})
	}
	x, err := api.svc.DecideApproval(r.Context(), a, id, *in.Approve, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, approvalJSON(r, x))
	return nil
}
