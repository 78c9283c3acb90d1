package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"baobei/internal/domain"
)

// auditCommand is `baobei audit verify [--tenant S]`: it seals the audit
// entries still waiting, recomputes each company's hash chain and names
// the first broken entry; a broken chain is an error (exit status 1).
func auditCommand(ctx context.Context, svc *domain.Service, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: baobei audit verify [--tenant S]")
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stdout)
	slug := fs.String("tenant", "", "company code (default: every company)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	checks, err := svc.VerifyAudit(ctx, *slug)
	if err != nil {
		return err
	}
	broken := 0
	for _, c := range checks {
		if c.Break == nil {
			fmt.Fprintf(stdout, "%s: %d entries, chain intact, last hash %x\n", c.Slug, c.Entries, c.Tip)
			continue
		}
		broken++
		fmt.Fprintf(stdout, "%s: chain BROKEN at audit entry %d (seal %d): %s / %s\n",
			c.Slug, c.Break.AuditID, c.Break.Seq, c.Break.Problem.En, c.Break.Problem.Zh)
	}
	if broken > 0 {
		return fmt.Errorf("audit chain broken in %d of %d companies", broken, len(checks))
	}
	return nil
}

// sealEvery chains new audit entries now and then every interval until
// ctx ends; a tenant another server is sealing is left to it.
func sealEvery(ctx context.Context, svc *domain.Service, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if n, err := svc.SealAudit(ctx); err != nil && ctx.Err() == nil {
			log.Error("audit sealer", "err", err)
		} else if n > 0 {
			log.Debug("audit sealer", "sealed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
