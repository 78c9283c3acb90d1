package domain

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// FollowUpChannels are the ways a contact with a customer happens, in the
// order forms offer them.
var FollowUpChannels = []string{"call", "visit", "wechat", "email", "other"}

// FollowUpInput is a contact with the customer being logged (跟进记录). At
// nil means now; Grade "" keeps the registration's grade.
type FollowUpInput struct {
	Channel string     `json:"channel"`
	Note    string     `json:"note"`
	At      *time.Time `json:"at"`
	Grade   string     `json:"grade"`
}

// FollowUp is one logged contact.
type FollowUp struct {
	ID             int64     `json:"id,string"`
	RegistrationID int64     `json:"registration_id,string"`
	UserID         int64     `json:"user_id,string"`
	UserName       string    `json:"user_name"`
	Channel        string    `json:"channel"`
	Note           string    `json:"note"`
	At             time.Time `json:"at"`
	GradeBefore    string    `json:"grade_before"`
	Grade          string    `json:"grade"`
	CreatedAt      time.Time `json:"created_at"`
}

// followUpSkew is how far in the future a contact may be dated: clocks of
// phones and servers differ a little, a contact tomorrow is a mistake.
const followUpSkew = 5 * time.Minute

// validate checks a follow-up logged at now for a registration filed at
// registeredAt: a known channel, a grade of H/A/B/C or none, a note of at
// most 2000 characters, and a time neither in the future nor before the
// registration.
func (in FollowUpInput) validate(now, registeredAt time.Time) map[string]i18n.Text {
	errs := map[string]i18n.Text{}
	if !slices.Contains(FollowUpChannels, in.Channel) {
		errs["channel"] = i18n.Text{Zh: "请选择跟进方式 (电话、拜访、微信、邮件、其他)", En: "Choose call, visit, wechat, email or other"}
	}
	if in.Grade != "" && !slices.Contains(registrationGrades, in.Grade) {
		errs["grade"] = i18n.Text{Zh: "意向等级须为 H、A、B 或 C", En: "Grade must be H, A, B or C"}
	}
	if m, bad := checkText(in.Note, maxLongRunes, true); bad {
		errs["note"] = m
	}
	if in.At != nil {
		switch {
		case in.At.After(now.Add(followUpSkew)):
			errs["at"] = i18n.Text{Zh: "跟进时间不能晚于现在", En: "The contact cannot be in the future"}
		case in.At.Before(registeredAt):
			errs["at"] = i18n.Text{Zh: "跟进时间不能早于报备时间", En: "The contact cannot be before the registration"}
		}
	}
	return errs
}

// NextFollowUpDue is when a registration of grade last contacted at last
// must be followed up next (follow_up_days by grade); nil without a grade.
func NextFollowUpDue(pol Policy, grade string, last time.Time) *time.Time {
	n, ok := pol.FollowUpDays[grade]
	if grade == "" || !ok {
		return nil
	}
	due := pol.addDays("follow_up_days", last, n)
	return &due
}

// LogFollowUp records a contact with the customer of the actor's own live
// registration: its last follow-up, grade and next due date (from the
// grade's follow_up_days) move with it. It returns ErrNotFound for a
// registration the actor cannot read, ErrForbidden when they are not its
// owner, and Invalid for bad input or a registration no longer live.
func (s *Service) LogFollowUp(ctx context.Context, by Actor, regID int64, in FollowUpInput) (FollowUp, error) {
	in.Channel, in.Grade, in.Note = strings.TrimSpace(in.Channel), strings.TrimSpace(in.Grade), strings.TrimSpace(in.Note)
	now := s.Now().Truncate(time.Microsecond)
	var f FollowUp
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		r, err := lockRegistration(ctx, tx, by, regID)
		if err != nil {
			return err
		}
		if r.OwnerID != by.UserID {
			return Forbidden(i18n.Text{Zh: "只有报备人可以记录跟进", En: "Only the owner can log follow-ups"})
		}
		if errs := in.validate(now, r.RegisteredAt); len(errs) > 0 {
			return Invalid(errs)
		}
		if !r.Status.Live() {
			return InvalidMsg(i18n.Text{Zh: "该报备已失效, 不能再记录跟进", En: "This registration is no longer in force"})
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		at := now
		if in.At != nil {
			at = in.At.Truncate(time.Microsecond)
		}
		grade := r.Grade
		if in.Grade != "" {
			grade = in.Grade
		}
		last := at
		if r.LastFollowUpAt != nil && r.LastFollowUpAt.After(at) {
			last = *r.LastFollowUpAt
		}
		due := NextFollowUpDue(pol, grade, last)
		f = FollowUp{RegistrationID: regID, UserID: by.UserID, UserName: r.OwnerName, Channel: in.Channel, Note: in.Note,
			At: at, GradeBefore: r.Grade, Grade: grade, CreatedAt: now}
		if err := tx.QueryRow(ctx, `
			INSERT INTO follow_ups (tenant_id, registration_id, user_id, channel, note, at, grade_before, grade_after, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			by.TenantID, regID, by.UserID, f.Channel, f.Note, f.At, f.GradeBefore, f.Grade, now).Scan(&f.ID); err != nil {
			return fmt.Errorf("insert follow-up: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE registrations SET last_follow_up_at = $3, grade = $4, next_follow_up_due = $5
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, regID, last, grade, due); err != nil {
			return fmt.Errorf("follow-up: %w", err)
		}
		return audit(ctx, tx, by, "follow_up.create", "registration", regID,
			map[string]any{"grade": r.Grade, "last_follow_up_at": r.LastFollowUpAt, "next_follow_up_due": r.NextFollowUpDue},
			map[string]any{"follow_up_id": f.ID, "channel": f.Channel, "at": f.At, "grade": grade, "last_follow_up_at": last, "next_follow_up_due": due})
	})
	if err != nil {
		return FollowUp{}, fmt.Errorf("follow-up: %w", err)
	}
	return f, nil
}

// FollowUps lists the follow-ups of a registration the actor may read,
// newest contact first; any other registration is ErrNotFound.
func (s *Service) FollowUps(ctx context.Context, by Actor, regID int64) ([]FollowUp, error) {
	var out []FollowUp
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if _, err := getRegistration(ctx, tx, by, regID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT f.id, f.registration_id, f.user_id, u.display_name, f.channel, f.note, f.at, f.grade_before, f.grade_after, f.created_at
			FROM follow_ups f JOIN users u ON u.tenant_id = f.tenant_id AND u.id = f.user_id
			WHERE f.tenant_id = $1 AND f.registration_id = $2 ORDER BY f.at DESC, f.id DESC`, by.TenantID, regID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (FollowUp, error) {
			var f FollowUp
			err := r.Scan(&f.ID, &f.RegistrationID, &f.UserID, &f.UserName, &f.Channel, &f.Note, &f.At, &f.GradeBefore, &f.Grade, &f.CreatedAt)
			return f, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	return out, nil
}
