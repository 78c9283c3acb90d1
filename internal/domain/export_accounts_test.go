package domain

import (
	"time"

	"baobei/internal/i18n"
)

// TokenTerms exposes TokenInput.tokenTerms to the table tests.
func (in TokenInput) TokenTerms(now time.Time, loc *time.Location) (string, *time.Time, map[string]i18n.Text) {
	return in.tokenTerms(now, loc)
}
