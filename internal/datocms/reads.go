package datocms

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Batched reads. A terraform plan refreshes every upload of a configuration, each through
// its own GetUpload, up to -parallelism at a time, and DatoCMS allows 20 requests a second.
// uploadReads answers those calls from as few requests as possible:
//
//   - GetUpload calls that arrive together are answered by one GET /uploads?filter[ids]=...
//     (at most maxBatchIDs ids);
//   - the first batch of the process is a plain first page of GET /uploads (page[limit]=500),
//     which also tells the environment's size (meta.total_count). The remaining pages are
//     fetched too as soon as that costs no more requests than the batches already sent (the
//     ski-rental rule: at most twice the requests of the better choice, known only in
//     hindsight), so a small environment (5,000 uploads is 10 pages) is listed at once by
//     any plan of more than a few uploads, and every later read of the process is answered
//     from that snapshot without a request;
//   - an upload missing from a batch or from the snapshot is confirmed with its own
//     GET /uploads/:id before it is reported as gone;
//   - an upload this client writes is never answered from a listing again;
//   - a fresh read (a poll: what DatoCMS found out about an upload since) is answered only
//     from a request made for it, batched with the other reads that arrive together.
//
// Nothing outlives the process, so nothing is cached across terraform runs.
type uploadReads struct {
	c                                    *Client
	batchSize, pageSize, snapshotMaxSize int // maxBatchIDs, snapshotPageSize, snapshotMaxUploads; smaller in tests

	mu          sync.Mutex
	queue       []*pendingRead
	dispatching bool
	probed      bool               // the first page has been requested
	total       int                // the environment's upload count, once probed
	listed      map[string]*Upload // uploads seen in listing pages
	complete    bool               // listed holds every upload of the environment
	batches     int                // filtered batch requests sent since the probe
	written     map[string]bool    // uploads written by this client: never answered from listed
}

const (
	maxBatchIDs      = 100 // ids per GET /uploads?filter[ids]=
	snapshotPageSize = 500 // the API's maximum page size (API §6.7)
	// snapshotMaxUploads bounds the environments that may be listed whole (the listing is
	// kept in memory, about a kilobyte an upload). Up to it the snapshot is taken as soon as
	// it costs no more than the batches already sent: refreshes that cannot run together
	// (terraform's -parallelism, a slow plan) make small batches, and in an environment of
	// 20,000 uploads listing it (40 requests) soon costs less than asking by id.
	snapshotMaxUploads = 50000
	// gatherQuiet and gatherMax bound how long the first read of a batch waits for others:
	// terraform starts the refreshes of a plan together, so they arrive within a few
	// milliseconds of each other.
	gatherQuiet = 3 * time.Millisecond
	gatherMax   = 20 * time.Millisecond
)

// pendingRead is one GetUpload (id) or UploadsWithMD5 (md5) call waiting for its answer.
type pendingRead struct {
	id, md5 string
	fresh   bool // answered only from a request made for it (see readFresh)
	ctx     context.Context
	done    chan struct{}
	up      *Upload   // answer by id
	withMD5 []*Upload // answer by md5
	err     error
}

func newUploadReads(c *Client) *uploadReads {
	return &uploadReads{
		c: c, batchSize: maxBatchIDs, pageSize: snapshotPageSize, snapshotMaxSize: snapshotMaxUploads,
		listed: map[string]*Upload{}, written: map[string]bool{},
	}
}

// get answers GetUpload.
func (r *uploadReads) get(ctx context.Context, id string) (*Upload, error) {
	r.mu.Lock()
	if up, ok := r.listed[id]; ok && !r.written[id] {
		r.mu.Unlock()
		return up.clone(), nil
	}
	if r.complete || r.written[id] {
		r.mu.Unlock()
		return r.c.getUploadDirect(ctx, id)
	}
	p := r.enqueueLocked(ctx, &pendingRead{id: id})
	r.mu.Unlock()
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.up, p.err
}

// readFresh reads an upload as DatoCMS holds it now, in a batch with the other reads that
// arrive together: the polls of many uploads waiting for DatoCMS share requests.
func (r *uploadReads) readFresh(ctx context.Context, id string) (*Upload, error) {
	r.mu.Lock()
	p := r.enqueueLocked(ctx, &pendingRead{id: id, fresh: true})
	r.mu.Unlock()
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.up, p.err
}

// withMD5 answers UploadsWithMD5: from the snapshot when the process holds (or, by the same
// rule as reads, takes) a complete one; else with GET /uploads?filter[fields][md5][eq]=.
func (r *uploadReads) withMD5(ctx context.Context, md5 string) ([]*Upload, error) {
	r.mu.Lock()
	if r.complete {
		defer r.mu.Unlock()
		return r.listedWithMD5Locked(md5), nil
	}
	p := r.enqueueLocked(ctx, &pendingRead{md5: md5})
	r.mu.Unlock()
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.withMD5, p.err
}

func (r *uploadReads) listedWithMD5Locked(md5 string) []*Upload {
	var out []*Upload
	for id, up := range r.listed {
		if up.MD5 == md5 && !r.written[id] {
			out = append(out, up.clone())
		}
	}
	return out
}

// enqueueLocked queues p and starts the dispatcher if needed. The caller holds r.mu.
func (r *uploadReads) enqueueLocked(ctx context.Context, p *pendingRead) *pendingRead {
	p.ctx, p.done = ctx, make(chan struct{})
	r.queue = append(r.queue, p)
	if !r.dispatching {
		r.dispatching = true
		// The dispatcher outlives any one caller's cancellation but keeps its logger.
		go r.dispatch(context.WithoutCancel(ctx))
	}
	return p
}

// wait returns when p is answered, or ctx's error when the caller gives up first.
func (p *pendingRead) wait(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// markWritten stops answering id from listings: this client changed or deleted it.
func (r *uploadReads) markWritten(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written[id] = true
}

// dispatch serves the queue until it is empty.
func (r *uploadReads) dispatch(ctx context.Context) {
	for {
		r.gather()
		r.mu.Lock()
		batch := r.takeBatchLocked()
		if len(batch) == 0 {
			r.dispatching = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		r.serve(ctx, batch)
	}
}

// gather waits until no read has arrived for gatherQuiet, the batch is full, or gatherMax
// has passed.
func (r *uploadReads) gather() {
	deadline := time.Now().Add(gatherMax)
	last := -1
	for time.Now().Before(deadline) {
		r.mu.Lock()
		n := len(r.queue)
		r.mu.Unlock()
		if n >= r.batchSize || n == last {
			return
		}
		last = n
		time.Sleep(gatherQuiet)
	}
}

// takeBatchLocked removes up to maxBatchIDs distinct ids from the queue (with every read
// waiting for them) and answers the reads that the listing can answer now.
func (r *uploadReads) takeBatchLocked() []*pendingRead {
	var batch, rest []*pendingRead
	ids := map[string]bool{}
	for _, p := range r.queue {
		switch {
		case p.ctx.Err() != nil:
			// The caller gave up: nothing to answer.
		case p.md5 != "":
			batch = append(batch, p)
		case !p.fresh && r.listed[p.id] != nil && !r.written[p.id]:
			p.up = r.listed[p.id].clone()
			close(p.done)
		case ids[p.id] || len(ids) < r.batchSize:
			ids[p.id] = true
			batch = append(batch, p)
		default:
			rest = append(rest, p)
		}
	}
	r.queue = rest
	return batch
}

// serve answers a batch of reads: from the listing when it can be completed at no extra
// cost, else from one filtered request; what neither holds is confirmed one by one.
func (r *uploadReads) serve(ctx context.Context, batch []*pendingRead) {
	r.mu.Lock()
	probe := !r.probed
	r.probed = true
	r.mu.Unlock()
	if probe {
		if total, err := r.listPage(ctx, 0, nil); err == nil {
			r.mu.Lock()
			r.total = total
			r.complete = len(r.listed) >= total
			r.mu.Unlock()
		}
		// On error the reads fall through to the filtered request, which reports it.
	}

	r.mu.Lock()
	remaining := 0
	if !r.complete && r.total <= r.snapshotMaxSize {
		remaining = (r.total+r.pageSize-1)/r.pageSize - 1
	}
	snapshot := remaining > 0 && remaining <= r.batches+1
	r.mu.Unlock()

	if snapshot {
		r.listRest(ctx, remaining)
	}
	var byID []*pendingRead
	for _, p := range batch {
		if p.md5 == "" {
			byID = append(byID, p)
			continue
		}
		r.answerMD5(p)
	}
	unanswered := r.answerFromListing(byID, false)
	if len(unanswered) == 0 {
		return
	}
	r.mu.Lock()
	r.batches++
	r.mu.Unlock()
	if _, err := r.listPage(ctx, 0, distinctIDs(unanswered)); err != nil {
		if refusedBatch(err) {
			// What the API answers for an unknown ID in filter[ids] is not documented: if it
			// refuses the whole batch, one bad ID must not fail every read in it.
			r.confirm(unanswered)
			return
		}
		for _, p := range unanswered {
			p.err = err
			close(p.done)
		}
		return
	}
	r.answerFromListing(unanswered, true)
}

// answerMD5 answers a lookup by MD5 from the complete snapshot, or with its own request
// (which counts as a batch for the snapshot rule).
func (r *uploadReads) answerMD5(p *pendingRead) {
	defer close(p.done)
	r.mu.Lock()
	if r.complete {
		p.withMD5 = r.listedWithMD5Locked(p.md5)
		r.mu.Unlock()
		return
	}
	r.batches++
	r.mu.Unlock()
	for up, err := range r.c.ListUploads(p.ctx, ListUploadsOptions{MD5: p.md5}) {
		if err != nil {
			p.withMD5, p.err = nil, err
			return
		}
		p.withMD5 = append(p.withMD5, up)
	}
}

// answerFromListing answers the reads whose upload was listed and returns the others. An
// upload that a listing should have held (the listing is complete, or askedByID) but did
// not is confirmed with its own GET: only that can say it is gone. A fresh read is answered
// only by the request made for it (askedByID).
func (r *uploadReads) answerFromListing(reads []*pendingRead, askedByID bool) (unanswered []*pendingRead) {
	var confirm []*pendingRead
	r.mu.Lock()
	for _, p := range reads {
		switch up := r.listed[p.id]; {
		case p.fresh && !askedByID:
			unanswered = append(unanswered, p)
		case up != nil && (p.fresh || !r.written[p.id]):
			p.up = up.clone()
			close(p.done)
		case r.complete || askedByID:
			confirm = append(confirm, p)
		default:
			unanswered = append(unanswered, p)
		}
	}
	r.mu.Unlock()
	r.confirm(confirm)
	return unanswered
}

// confirm answers each read with its own GET /uploads/:id, concurrently.
func (r *uploadReads) confirm(reads []*pendingRead) {
	var wg sync.WaitGroup
	for _, p := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.up, p.err = r.c.getUploadDirect(p.ctx, p.id)
			close(p.done)
		}()
	}
	wg.Wait()
}

// listRest fetches pages 1..remaining of the environment, a few at a time, completing the
// snapshot. A failure leaves the snapshot incomplete: reads then go by id.
func (r *uploadReads) listRest(ctx context.Context, remaining int) {
	const concurrentPages = 4
	var (
		wg     sync.WaitGroup
		sem    = make(chan struct{}, concurrentPages)
		failed atomic.Bool
	)
	for page := 1; page <= remaining; page++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := r.listPage(ctx, page*r.pageSize, nil); err != nil {
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	if !failed.Load() {
		r.mu.Lock()
		// Uploads created or deleted while the pages were read shift the offsets, so an
		// upload may have been skipped: an upload missing from the snapshot is confirmed by
		// its own GET before anyone is told it is gone.
		r.complete = true
		r.mu.Unlock()
	}
}

// listPage requests one page of GET /uploads, filtered by ids when ids is non-nil, records
// the uploads it holds and returns meta.total_count.
func (r *uploadReads) listPage(ctx context.Context, offset int, ids []string) (int, error) {
	query := url.Values{"page[offset]": {strconv.Itoa(offset)}, "page[limit]": {strconv.Itoa(r.pageSize)}}
	if ids != nil {
		query.Set("filter[ids]", strings.Join(ids, ","))
		query.Set("page[limit]", strconv.Itoa(len(ids)))
	}
	var page uploadPage
	if err := r.c.do(ctx, call{method: http.MethodGet, path: "/uploads", query: query}, &page); err != nil {
		return 0, err
	}
	ups := make([]*Upload, 0, len(page.Data))
	for i := range page.Data {
		up, err := page.Data[i].toUpload()
		if err != nil {
			return 0, err
		}
		ups = append(ups, up)
	}
	r.mu.Lock()
	for _, up := range ups {
		r.listed[up.ID] = up
	}
	r.mu.Unlock()
	return page.Meta.TotalCount, nil
}

// uploadPage is the wire shape of a GET /uploads page.
type uploadPage struct {
	Data []uploadResource `json:"data"`
	Meta struct {
		TotalCount int `json:"total_count"`
	} `json:"meta"`
}

// refusedBatch reports whether DatoCMS refused a filter[ids] request for what it asked
// (a 4xx other than the token's or the rate limit's), rather than failing to answer: asking
// for each upload on its own then gets every answer that can be had.
func refusedBatch(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		return false
	default:
		return apiErr.Status >= 400 && apiErr.Status < 500
	}
}

func distinctIDs(reads []*pendingRead) []string {
	seen := map[string]bool{}
	var ids []string
	for _, p := range reads {
		if !seen[p.id] {
			seen[p.id] = true
			ids = append(ids, p.id)
		}
	}
	return ids
}
