package main

import (
	"context"
	"log/slog"
	"time"

	"baobei/internal/domain"
)

// deliverEvery sends the outbox's due messages now and then every
// interval until ctx ends; servers running it side by side share the
// work, each message going out once.
func deliverEvery(ctx context.Context, svc *domain.Service, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if n, err := svc.DeliverOutbox(ctx); err != nil && ctx.Err() == nil {
			log.Error("outbox", "err", err)
		} else if n > 0 {
			log.Debug("outbox", "delivered", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
