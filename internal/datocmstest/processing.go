package datocmstest

import (
	"bytes"
	"cmp"
	"net/http"
	"slices"
	"time"
)

// What DatoCMS does with a file once an upload has it, without any API call (API §6.12):
// the antivirus scan of every file, and Mux's processing of videos. Until each is done its
// attributes read as right after an upload (antivirus pending, Mux values null); each
// result appears after its delay (WithAntivirusDelay, WithMuxDelay; at once with 0). A new
// file, by create, PUT /uploads/:id with a new path or ReplaceFile, starts both again.

// processingDelays are how long the antivirus scan and Mux take for each new file.
type processingDelays struct{ antivirus, mux time.Duration }

// Antivirus is meta.antivirus of an upload (API §5.2).
type Antivirus struct {
	Status     string     // pending, clean, infected, failed or skipped
	CheckedAt  *time.Time // when the scan ended; nil while pending, and when skipped
	ThreatName *string    // nil unless infected
}

var antivirusStatuses = []string{"pending", "clean", "infected", "failed", "skipped"}

// antivirusAt is the verdict status (with threat when infected) reached at `at`. Open
// question: what checked_at holds for a skipped scan is undocumented; we leave it null,
// as no check took place.
func antivirusAt(status, threat string, at time.Time) Antivirus {
	av := Antivirus{Status: status}
	if status != "pending" && status != "skipped" {
		av.CheckedAt = &at
	}
	if status == "infected" {
		av.ThreatName = &threat
	}
	return av
}

// eicarThreat is the threat name given to a file that holds the EICAR test string, as
// ClamAV-based scanners name it.
const eicarThreat = "Eicar-Signature"

// eicarHalves is the EICAR antivirus test string, cut in two. It is joined only at run
// time, so that no file of the repository holds it whole: a developer's antivirus would
// quarantine that file.
var eicarHalves = [2]string{`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR`, `-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`}

// EICARTestFile returns the EICAR antivirus test file, which the server's scan reports as
// infected (threat "Eicar-Signature"), as any antivirus does. Tests in other packages
// (the provider's) use it to upload an infected file.
func EICARTestFile() []byte { return append([]byte(eicarHalves[0]), eicarHalves[1]...) }

var eicar = EICARTestFile()

// virusScanner looks for the EICAR test string anywhere in a stream, across write
// boundaries, while writeBlob stores the file: a real antivirus knows many signatures,
// this one only the test one.
type virusScanner struct {
	tail  []byte // the last len(eicar)-1 bytes written
	found bool
}

func (v *virusScanner) Write(p []byte) (int, error) {
	if v.found {
		return len(p), nil
	}
	k := len(eicar) - 1
	// A match that starts in the tail ends within the first k bytes of p.
	edge := append(v.tail, p[:min(len(p), k)]...)
	v.found = bytes.Contains(edge, eicar) || bytes.Contains(p, eicar)
	if len(p) >= k {
		v.tail = append(v.tail[:0], p[len(p)-k:]...)
	} else {
		v.tail = edge[max(0, len(edge)-k):]
	}
	return len(p), nil
}

// threat is the verdict: "" for a clean file.
func (v *virusScanner) threat() string {
	if v.found {
		return eicarThreat
	}
	return ""
}

// deferred is a change due at a given time, such as a scan's verdict.
type deferred struct {
	at    time.Time
	seq   int64
	apply func(at time.Time)
}

// afterLocked applies a change at `at`: at once when that time has come (so a zero delay
// shows in the very answer that started it, a job result included), otherwise when lock()
// finds it due, like a job, without a background goroutine.
func (s *Server) afterLocked(at time.Time, apply func(at time.Time)) {
	if !at.After(s.now()) {
		apply(at)
		return
	}
	s.later = append(s.later, &deferred{at: at, seq: s.seq.Add(1), apply: apply})
}

// settleLaterLocked applies every deferred change due at now, in the order they fell due.
func (s *Server) settleLaterLocked(now time.Time) {
	if len(s.later) == 0 {
		return
	}
	var due []*deferred
	s.later = slices.DeleteFunc(s.later, func(d *deferred) bool {
		if d.at.After(now) {
			return false
		}
		due = append(due, d)
		return true
	})
	slices.SortFunc(due, func(a, b *deferred) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.seq, b.seq)) })
	for _, d := range due {
		d.apply(d.at)
	}
}

// processFileLocked starts the scan of rec's new file, which arrived at now, and Mux's
// processing when it is a video. The generations make a result that is overtaken (by a
// newer file, or by SetAntivirus for the scan) change nothing.
func (s *Server) processFileLocked(rec *uploadRecord, now time.Time, delays processingDelays) {
	rec.scanGen++
	rec.fileGen++
	scanGen, fileGen, facts := rec.scanGen, rec.fileGen, rec.blob.facts
	rec.Antivirus = Antivirus{Status: "pending"}
	rec.Duration, rec.FrameRate, rec.MuxPlaybackID, rec.MuxMP4HighestRes = nil, nil, nil, nil
	s.afterLocked(now.Add(delays.antivirus), func(at time.Time) {
		if rec.scanGen == scanGen {
			status := "clean"
			if facts.threat != "" {
				status = "infected"
			}
			rec.Antivirus = antivirusAt(status, facts.threat, at)
		}
	})
	if facts.video != nil {
		s.afterLocked(now.Add(delays.mux), func(time.Time) {
			if rec.fileGen == fileGen {
				rec.setMux(*facts.video)
			}
		})
	}
}

// Fallbacks for what a video's header does not say.
const (
	fallbackDuration  = 10.0
	fallbackFrameRate = 30.0
	fallbackMP4Res    = "high"
)

// setMux fills in what Mux reports once it has processed the video v describes: a new
// playback ID, and the highest MP4 rendition by height (Mux's high, medium and low
// renditions are 1080p, 720p and 480p).
func (u *Upload) setMux(v videoFacts) {
	duration, fps := cmp.Or(v.duration, fallbackDuration), cmp.Or(v.frameRate, fallbackFrameRate)
	res := fallbackMP4Res
	switch {
	case v.height >= 1080:
		res = "high"
	case v.height >= 720:
		res = "medium"
	case v.height > 0:
		res = "low"
	}
	id := newPlaybackID()
	u.Duration, u.FrameRate, u.MuxPlaybackID, u.MuxMP4HighestRes = &duration, &fps, &id, &res
}

// SetAntivirus sets an upload's antivirus verdict as DatoCMS would on its own: a rescan
// after a signature update, a scan that failed or was skipped. status is pending, clean,
// infected, failed or skipped; threat names the threat of an infected upload ("" =
// Eicar-Signature) and must be "" otherwise. It overrides a scan still under way; a new
// file is scanned again. An infected upload's url stops serving its file.
func (s *Server) SetAntivirus(env, id, status, threat string) error {
	if !slices.Contains(antivirusStatuses, status) {
		return testErr(http.StatusBadRequest, "status: %q is not one of %v", status, antivirusStatuses)
	}
	if status != "infected" && threat != "" {
		return testErr(http.StatusBadRequest, "threat_name: only an infected upload has one")
	}
	if status == "infected" && threat == "" {
		threat = eicarThreat
	}
	s.lock()
	defer s.mu.Unlock()
	rec, err := s.findLocked(env, id)
	if err != nil {
		return err
	}
	rec.scanGen++
	rec.Antivirus = antivirusAt(status, threat, s.now())
	return nil
}

// Quarantine marks an upload infected with threat ("" = Eicar-Signature), as when a
// signature update finds a threat in a file scanned clean before: DatoCMS quarantines it
// and its url stops serving the file (API §6.12).
func (s *Server) Quarantine(env, id, threat string) error {
	return s.SetAntivirus(env, id, "infected", threat)
}
