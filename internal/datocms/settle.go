package datocms

import (
	"context"
	"time"
)

// What DatoCMS does after an upload is accepted (an antivirus scan, Mux's processing of a
// video, a track's preparation) has no job to wait for: the only way to know is to read the
// resource again until it says. These waits poll gently, starting soon (the local server and
// small files settle in well under a second) and slowing down to settlePollMax.
const (
	settlePollFirst = 200 * time.Millisecond
	settlePollMax   = 5 * time.Second
)

// AwaitUpload reads the upload until settled(up) holds or ctx ends, and returns the last
// upload read; when ctx ends first, the error is ctx's (with that upload). The waits of
// many uploads share batched requests (GET /uploads?filter[ids]=).
func (c *Client) AwaitUpload(ctx context.Context, id string, settled func(*Upload) bool) (*Upload, error) {
	return await(ctx, func(ctx context.Context) (*Upload, error) { return c.reads.readFresh(ctx, id) }, settled)
}

// AwaitTrack reads the track until it is no longer preparing or ctx ends, and returns the
// last track read (see AwaitUpload).
func (c *Client) AwaitTrack(ctx context.Context, uploadID, trackID string) (*Track, error) {
	return await(ctx, func(ctx context.Context) (*Track, error) { return c.GetTrack(ctx, uploadID, trackID) },
		func(t *Track) bool { return t.Status != TrackPreparing })
}

// await polls read until settled holds, with a growing pause, or until ctx ends.
func await[T any](ctx context.Context, read func(context.Context) (*T, error), settled func(*T) bool) (*T, error) {
	pause := settlePollFirst
	var last *T
	for {
		v, err := read(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return last, ctx.Err()
		case err != nil:
			return last, err
		case settled(v):
			return v, nil
		}
		last = v
		// Poll on the clock's multiples of pause, so that the waits that started apart (the
		// creates of one apply end at different times) poll together and share a batch.
		if err := sleep(ctx, time.Until(time.Now().Truncate(pause).Add(pause))); err != nil {
			return last, err
		}
		pause = min(pause*3/2, settlePollMax)
	}
}
