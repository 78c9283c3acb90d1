package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"

	"baobei/internal/domain"
)

// sweepOnce is `baobei sweep [--now RFC3339]`: every sweep once, as of
// --now (default: now), waiting for a sweep already running elsewhere.
func sweepOnce(ctx context.Context, svc *domain.Service, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stdout)
	nowFlag := fs.String("now", "", "the time to sweep as of, RFC 3339 (default: now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return fmt.Errorf("sweep: --now: %w", err)
		}
		now = t
	}
	res, err := svc.Sweep(ctx, now)
	fmt.Fprintf(stdout, "swept %d companies as of %s\n", res.Tenants, now.Format(time.RFC3339))
	for _, step := range slices.Sorted(maps.Keys(res.Counts)) {
		fmt.Fprintf(stdout, "  %-20s %d\n", step, res.Counts[step])
	}
	return err
}

// sweepEvery runs the sweeps now and then every interval until ctx ends,
// skipping a round while another server sweeps.
func sweepEvery(ctx context.Context, svc *domain.Service, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		res, ran, err := svc.TrySweep(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("sweep", "err", err)
		case ran:
			log.Debug("sweep", "tenants", res.Tenants, "counts", res.Counts)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
