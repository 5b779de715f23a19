package datocms

import "time"

// Test access to the job pacer, whose schedule is checked without a clock.

type JobWaitForTest struct{ w *jobWait }

func NewJobPacerForTest(fine, slowest time.Duration) *JobPacerForTest {
	return &JobPacerForTest{p: newJobPacer(fine, slowest)}
}

type JobPacerForTest struct{ p *jobPacer }

func (p *JobPacerForTest) Start(kind string, accepted time.Time) *JobWaitForTest {
	return &JobWaitForTest{w: p.p.start(kind, accepted)}
}

func (w *JobWaitForTest) Next() time.Time { return w.w.next }

func (w *JobWaitForTest) PendingAt(now time.Time) time.Time {
	w.w.polls++
	w.w.lastSent = now.Sub(w.w.accepted)
	w.w.pendingAt(now)
	return w.w.next
}

func (w *JobWaitForTest) DoneAt(now time.Time) {
	w.w.polls++
	w.w.lastSent = now.Sub(w.w.accepted)
	w.w.done()
}

func (w *JobWaitForTest) Stop() { w.w.stop() }
