package ui

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"baobei/internal/domain"
	"baobei/internal/i18n"
	"baobei/templates"
)

// The registration form's field names are the JSON paths of
// domain.RegistrationInput, so the domain's field errors land on them.
const contactPrefix = "customer.contacts."

// contactFields are the inputs of one contact row.
var contactFields = []string{"name", "title", "phone", "relation"}

// registrationForm reads the registration form as typed, for showing it
// again. Contact rows come in the order of their indices, blank rows
// dropped and renumbered from 0 — the numbering registrationInput gives
// the domain, so "customer.contacts.1.phone" names the same row in both.
func registrationForm(r *http.Request) templates.RegistrationForm {
	if r.PostForm == nil {
		_ = r.ParseForm()
	}
	v := func(name string) string { return r.PostForm.Get(name) }
	return templates.RegistrationForm{
		Kind:           v("customer.kind"),
		Name:           v("customer.name"),
		USCC:           v("customer.uscc"),
		Industry:       v("customer.industry"),
		Size:           v("customer.size"),
		Region:         v("customer.region"),
		Address:        v("customer.address"),
		Project:        v("customer.project"),
		Contacts:       formContacts(r),
		Grade:          v("grade"),
		Needs:          v("needs"),
		Source:         v("source"),
		FirstContactAt: v("first_contact_at"),
		ExpectedAmount: v("expected_amount"),
		HistoryClaim:   v("history_claim"),
	}
}

// formContacts collects the contact rows "customer.contacts.{i}.{field}".
// The indices need not be contiguous (app.js never reuses one after a row
// is removed); only canonical decimal indices count, so "01" cannot shadow
// "1".
func formContacts(r *http.Request) []templates.ContactForm {
	rows := map[int]*templates.ContactForm{}
	for key, vals := range r.PostForm {
		rest, ok := strings.CutPrefix(key, contactPrefix)
		if !ok || len(vals) == 0 {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		if !ok || !slices.Contains(contactFields, field) {
			continue
		}
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || strconv.Itoa(i) != idx {
			continue
		}
		c := rows[i]
		if c == nil {
			c = &templates.ContactForm{}
			rows[i] = c
		}
		switch field {
		case "name":
			c.Name = vals[0]
		case "title":
			c.Title = vals[0]
		case "phone":
			c.Phone = vals[0]
		case "relation":
			c.Relation = vals[0]
		}
	}
	idx := make([]int, 0, len(rows))
	for i := range rows {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	out := make([]templates.ContactForm, 0, len(idx))
	for _, i := range idx {
		c := rows[i]
		if strings.TrimSpace(c.Name) == "" && strings.TrimSpace(c.Title) == "" && strings.TrimSpace(c.Phone) == "" {
			continue // an untouched row; its relation select always has a value
		}
		out = append(out, *c)
	}
	return out
}

// registrationInput reads a posted registration form into the domain's
// input. The first contact time (a datetime-local value) is read in loc,
// the tenant's time zone. It returns the messages, in the request's
// language and keyed by field name, of values that cannot be read at all
// (a malformed date or amount); everything else is the domain's to judge.
func registrationInput(r *http.Request, loc *time.Location) (domain.RegistrationInput, map[string]string) {
	f := registrationForm(r)
	errs := map[string]string{}
	in := domain.RegistrationInput{
		Customer: domain.Customer{
			Kind:     domain.CustomerKind(strings.TrimSpace(f.Kind)),
			Name:     strings.TrimSpace(f.Name),
			USCC:     strings.TrimSpace(f.USCC),
			Industry: strings.TrimSpace(f.Industry),
			Size:     strings.TrimSpace(f.Size),
			Region:   strings.TrimSpace(f.Region),
			Address:  strings.TrimSpace(f.Address),
			Project:  strings.TrimSpace(f.Project),
			Contacts: make([]domain.Contact, 0, len(f.Contacts)),
		},
		Grade:        strings.TrimSpace(f.Grade),
		Needs:        strings.TrimSpace(f.Needs),
		Source:       strings.TrimSpace(f.Source),
		HistoryClaim: strings.TrimSpace(f.HistoryClaim),
	}
	for _, c := range f.Contacts {
		in.Customer.Contacts = append(in.Customer.Contacts, domain.Contact{
			Name:     strings.TrimSpace(c.Name),
			Title:    strings.TrimSpace(c.Title),
			Phone:    strings.TrimSpace(c.Phone),
			Relation: strings.TrimSpace(c.Relation),
		})
	}
	if s := strings.TrimSpace(f.FirstContactAt); s != "" {
		if tm, err := parseLocalTime(s, loc); err == nil {
			in.FirstContactAt = &tm
		} else {
			errs["first_contact_at"] = i18n.T(r.Context(), "reg.error.bad_time")
		}
	}
	if s := strings.TrimSpace(f.ExpectedAmount); s != "" {
		if a, err := parseAmount(s); err == nil {
			in.ExpectedAmount = &a
		} else {
			errs["expected_amount"] = i18n.T(r.Context(), "reg.error.bad_amount")
		}
	}
	return in, errs
}

// localTimeLayouts are the forms of a datetime-local input's value
// (browsers send minutes, seconds when step allows them) and what a person
// types where the browser has no date picker.
var localTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

var errBadTime = errors.New("not a date and time")

// parseLocalTime reads a wall-clock time as typed in a datetime-local
// input, in loc (the tenant's time zone; nil means UTC). Years outside
// 1900–2199 are refused as slips of the keyboard.
func parseLocalTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range localTimeLayouts {
		tm, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		if y := tm.Year(); y < 1900 || y > 2199 {
			return time.Time{}, errBadTime
		}
		return tm, nil
	}
	return time.Time{}, errBadTime
}

var errBadAmount = errors.New("not an amount")

// parseAmount reads an amount of yuan as people type it: digits with an
// optional fraction, thousands separators (",", "，", spaces) and an
// optional 万 (ten thousand) or 元 after it. Signs, exponents and
// anything else are refused; the domain judges the range.
func parseAmount(s string) (float64, error) {
	s = strings.NewReplacer(",", "", "，", "", " ", "", "\u00a0", "", "¥", "", "￥", "").Replace(s)
	s = strings.TrimSuffix(s, "元")
	mult := 1.0
	if t, ok := strings.CutSuffix(s, "万"); ok {
		s, mult = t, 1e4
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || !allDigits(frac))) {
		return 0, errBadAmount
	}
	a, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(a*mult, 0) {
		return 0, errBadAmount
	}
	return a * mult, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
