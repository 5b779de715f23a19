package datocms

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// progressMinSize is the size from which a transfer logs its progress: below it, a transfer
// takes seconds, and the usual DEBUG line at its end says enough.
const progressMinSize = 64 << 20

// Progress returns a function to call, as a transfer of total bytes goes, with the bytes done
// so far. For a transfer of more than 64 MiB it logs at INFO (TF_LOG_PROVIDER=INFO shows it)
// each tenth of the way, with the rate so far and an estimate of the time left; of unknown
// size (total < 0), each 64 MiB, with the rate. Otherwise it does nothing. what names the
// transfer ("uploading hero.mov"). The figures are in the message: Terraform prints log
// fields in random order, and numbers as floats.
func (c *Client) Progress(ctx context.Context, what string, total int64) func(done int64) {
	if total >= 0 && total <= progressMinSize {
		return func(int64) {}
	}
	start, logged := time.Now(), int64(0) // logged: the tenths (or 64 MiB steps) logged so far
	reached := func(done int64) int64 {
		if total < 0 {
			return done / progressMinSize
		}
		return done * 10 / total
	}
	return func(done int64) {
		if reached(done) <= logged {
			return
		}
		logged = reached(done)
		rate := float64(done) / max(time.Since(start).Seconds(), 1e-3)
		var msg string
		if total < 0 {
			msg = fmt.Sprintf("%s: %s so far, %s/s", what, mib(float64(done)), mib(rate))
		} else {
			msg = fmt.Sprintf("%s: %d%% (%s of %s, %s/s, about %s left)", what, done*100/total, mib(float64(done)),
				mib(float64(total)), mib(rate), (time.Duration(float64(total-done)/max(rate, 1)) * time.Second).Round(time.Second))
		}
		c.log.Log(ctx, slog.LevelInfo, msg)
	}
}

func mib(bytes float64) string { return fmt.Sprintf("%.1f MiB", bytes/(1<<20)) }
