package provider

import (
	"context"
	"log/slog"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// clientLogger is the logger the API client (internal/datocms, which knows nothing of
// Terraform) logs through: its records go to Terraform's provider log with the caller's
// context, so they carry the RPC's fields and follow TF_LOG_PROVIDER like the provider's
// own. The client never logs the token; masking it here too is a backstop.
func clientLogger(token string) *slog.Logger {
	return slog.New(&tflogHandler{token: token})
}

type tflogHandler struct {
	token string
	attrs []slog.Attr
	group string
}

func (h *tflogHandler) Enabled(context.Context, slog.Level) bool { return true } // tflog filters by level

func (h *tflogHandler) Handle(ctx context.Context, r slog.Record) error {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "authorization")
	if h.token != "" {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, h.token)
		ctx = tflog.MaskMessageStrings(ctx, h.token)
	}
	fields := make(map[string]any, len(h.attrs)+r.NumAttrs())
	add := func(a slog.Attr) bool {
		key := a.Key
		if h.group != "" {
			key = h.group + "." + key
		}
		fields[key] = a.Value.Resolve().Any()
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	switch {
	case r.Level >= slog.LevelError:
		tflog.Error(ctx, r.Message, fields)
	case r.Level >= slog.LevelWarn:
		tflog.Warn(ctx, r.Message, fields)
	case r.Level >= slog.LevelInfo:
		tflog.Info(ctx, r.Message, fields)
	default:
		tflog.Debug(ctx, r.Message, fields)
	}
	return nil
}

func (h *tflogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *tflogHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}
