package domain

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// logPhoneView records, as an audit entry phone.view, that by is shown the
// full phones of registration r although they do not own it — a manager
// of its team or an admin (domain.md, Audit and privacy: viewing a full
// phone number of a customer one does not own is logged). Owners, readers
// who see phones masked and customers without a full phone log nothing.
func logPhoneView(ctx context.Context, tx pgx.Tx, by Actor, r Registration) error {
	if by.UserID == r.OwnerID || !by.seesPhones(r) {
		return nil
	}
	var phones []string
	for _, c := range r.Customer.Contacts {
		if c.Phone != "" && !PhoneMasked(c.Phone) {
			phones = append(phones, MaskPhone(c.Phone))
		}
	}
	if len(phones) == 0 {
		return nil
	}
	return audit(ctx, tx, by, "phone.view", "registration", r.ID, nil, map[string]any{"owner_id": r.OwnerID, "phones": phones})
}
