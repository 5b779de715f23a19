package datocmstest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const webVTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"

func trackBody(attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": "upload_track", "attributes": attrs}}
}

// subtitles are the attributes of an English subtitles track made from source.
func subtitles(source string) map[string]any {
	return map[string]any{"type": "subtitles", "url_or_upload_request_id": source, "language_code": "en"}
}

// createTrack sends POST /uploads/:id/tracks, waits for its job and returns the track.
func (c *client) createTrack(uploadID string, attrs map[string]any) map[string]any {
	c.t.Helper()
	res := c.waitJob(c.do("POST", "/uploads/"+uploadID+"/tracks", trackBody(attrs)))
	status, payload := jobPayload(res)
	if status != http.StatusCreated {
		c.t.Fatalf("track create job status %d: %s", status, res.raw)
	}
	return dig(payload, "data").(map[string]any)
}

// trackStates lists an upload's tracks over the CMA as "id:status" strings.
func (c *client) trackStates(uploadID string) []string {
	c.t.Helper()
	r := c.do("GET", "/uploads/"+uploadID+"/tracks", nil)
	r.want(c.t, http.StatusOK)
	out := []string{}
	for _, tr := range dig(r.doc, "data").([]any) {
		out = append(out, dig(tr, "id").(string)+":"+dig(tr, "attributes", "status").(string))
	}
	return out
}

func TestTrackLifecycle(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	s, c := newTestServer(t, withClock(clk.now), WithTrackDelay(3*time.Second), WithRateLimit(1000))
	video := c.createUpload("clip.mp4", TinyMP4(2, 25), nil)["id"].(string)

	attrs := subtitles(c.putFile("en.vtt", []byte(webVTT)))
	attrs["name"], attrs["closed_captions"] = "English", true
	tr := c.createTrack(video, attrs)
	first := tr["id"].(string)
	jsonEq(t, "created track", tr, `{"type": "upload_track", "id": "`+first+`",
		"attributes": {"type": "subtitles", "name": "English", "language_code": "en", "closed_captions": true, "status": "preparing", "error": null},
		"relationships": {"upload": {"data": {"type": "upload", "id": "`+video+`"}}}}`)
	if !validEntityID(first) {
		t.Errorf("track id %q", first)
	}
	if got := strings.Join(c.trackStates(video), ","); got != first+":preparing" {
		t.Errorf("tracks while preparing: %s", got)
	}
	clk.advance(3 * time.Second)
	if got := s.Tracks("", video); len(got) != 1 || got[0].Status != "ready" || got[0].Error != nil || *got[0].Name != "English" || !got[0].ClosedCaptions {
		t.Errorf("Tracks() = %+v", got)
	}

	// An audio track from a file this server serves: no name, listed after the first.
	s.PutFile("fr.mp3", []byte("ID3 audio"))
	second := c.createTrack(video, map[string]any{"type": "audio", "url_or_upload_request_id": s.FileURL("fr.mp3"), "language_code": "fr-CA"})
	if dig(second, "attributes", "name") != nil || dig(second, "attributes", "closed_captions") != false || s.Downloads("fr.mp3") != 1 {
		t.Errorf("audio track %v, downloads %d", second, s.Downloads("fr.mp3"))
	}
	clk.advance(3 * time.Second)
	if got := strings.Join(c.trackStates(video), ","); got != first+":ready,"+second["id"].(string)+":ready" {
		t.Errorf("tracks: %s", got)
	}

	// Delete: 202 + job whose result is 200 with the track; then it is gone.
	res := c.waitJob(c.do("DELETE", "/uploads/"+video+"/tracks/"+first, nil))
	if status, payload := jobPayload(res); status != http.StatusOK || dig(payload, "data", "id") != first {
		t.Errorf("delete job result %s", res.raw)
	}
	c.do("DELETE", "/uploads/"+video+"/tracks/"+first, nil).wantError(t, 404, "NOT_FOUND")
	if got := c.trackStates(video); len(got) != 1 {
		t.Errorf("after delete: %v", got)
	}
	if err := s.DeleteTrack("", video, second["id"].(string)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTrack("", video, second["id"].(string)); err == nil {
		t.Error("DeleteTrack of a missing track succeeded")
	}
	if got := c.trackStates(video); len(got) != 0 {
		t.Errorf("after DeleteTrack: %v", got)
	}

	// Like every CMA call: logged with their environment, rate limited.
	if n := s.CountRequests("POST", "/uploads/"+video+"/tracks"); n != 2 {
		t.Errorf("logged track creates: %d", n)
	}
	if r := c.do("GET", "/uploads/"+video+"/tracks", nil); r.header.Get("X-RateLimit-Remaining") == "" {
		t.Error("track list without rate limit headers")
	}
}

func TestTrackErrors(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	video := c.createUpload("clip.mp4", TinyMP4(2, 25), nil)["id"].(string)
	state := func(tr map[string]any) string {
		return dig(tr, "attributes", "status").(string) + ":" + fmtAny(dig(tr, "attributes", "error"))
	}
	srt := "1\r\n00:00:00,000 --> 00:00:01,000\r\nHello\r\n"
	for _, tt := range []struct {
		name, content, want string
	}{
		{"en.vtt", webVTT, "ready:<nil>"},
		{"bom.vtt", "\ufeff" + webVTT, "ready:<nil>"},
		{"en.srt", srt, "ready:<nil>"},
		{"notes.txt", "Hello, not subtitles", "errored:The subtitles file is neither WebVTT nor SRT"},
		{"almost.vtt", "WEBVTTX\n", "errored:The subtitles file is neither WebVTT nor SRT"},
	} {
		if got := state(c.createTrack(video, subtitles(c.putFile(tt.name, []byte(tt.content))))); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	// A URL of this server that serves nothing: the download fails, the track errors.
	if got := state(c.createTrack(video, subtitles(s.FileURL("missing.vtt")))); !strings.HasPrefix(got, "errored:Could not download") {
		t.Errorf("missing file: %s", got)
	}

	// The knob, then a rule set over the admin API: each errors one track.
	vtt := c.putFile("ok.vtt", []byte(webVTT))
	s.FailNextTracks(1, "boom")
	if got := state(c.createTrack(video, subtitles(vtt))); got != "errored:boom" {
		t.Errorf("FailNextTracks: %s", got)
	}
	adminDo(t, s, "PUT", "/_local/faults", map[string]any{"rules": []any{map[string]any{"action": "track_error", "times": 1}}}).want(t, 200)
	if got := state(c.createTrack(video, subtitles(vtt))); got != "errored:Mux could not process the track" {
		t.Errorf("track_error rule: %s", got)
	}
	if got := state(c.createTrack(video, subtitles(vtt))); got != "ready:<nil>" {
		t.Errorf("after the faults: %s", got)
	}
}

// fmtAny shows a decoded JSON value, "<nil>" for null.
func fmtAny(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "<nil>"
}

func TestTrackValidation(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t)
	video := c.createUpload("clip.mp4", TinyMP4(2, 25), nil)["id"].(string)
	text := c.createUpload("a.txt", []byte("a"), nil)
	vtt := c.putFile("en.vtt", []byte(webVTT))
	unput, _, _ := c.uploadRequest("b.vtt")
	with := func(k string, v any) map[string]any {
		a := subtitles(vtt)
		a[k] = v
		return a
	}
	without := func(k string) map[string]any {
		a := subtitles(vtt)
		delete(a, k)
		return a
	}
	withID := trackBody(subtitles(vtt))
	withID["data"].(map[string]any)["id"] = newEntityID()
	for _, tt := range []struct {
		name, upload string
		body         any
		status       int
		code         string
		detail       []string
	}{
		{"unknown upload", "nope", trackBody(subtitles(vtt)), 404, "NOT_FOUND", nil},
		{"not a video", text["id"].(string), trackBody(subtitles(vtt)), 422, "NOT_A_VIDEO", nil},
		{"client id", video, withID, 422, "INVALID_FORMAT", []string{"id"}},
		{"wrong type", video, map[string]any{"data": map[string]any{"type": "upload", "attributes": subtitles(vtt)}}, 422, "INVALID_TYPE", nil},
		{"unknown attribute", video, trackBody(with("url", "x")), 422, "INVALID_ATTRIBUTES", []string{"url"}},
		{"missing language", video, trackBody(without("language_code")), 422, "INVALID_FIELD", []string{"language_code", "VALIDATION_REQUIRED"}},
		{"bad language", video, trackBody(with("language_code", "english!")), 422, "INVALID_FIELD", []string{"language_code", "INVALID_FORMAT"}},
		{"missing type", video, trackBody(without("type")), 422, "INVALID_FIELD", []string{"type", "VALIDATION_REQUIRED"}},
		{"bad track type", video, trackBody(with("type", "video")), 422, "INVALID_FIELD", []string{"type", "INVALID_FORMAT"}},
		{"closed captions not a bool", video, trackBody(with("closed_captions", "yes")), 422, "INVALID_FIELD", []string{"closed_captions", "INVALID_FORMAT"}},
		{"missing source", video, trackBody(without("url_or_upload_request_id")), 422, "INVALID_FIELD", []string{"url_or_upload_request_id", "VALIDATION_REQUIRED"}},
		{"upload request never PUT", video, trackBody(subtitles(unput)), 422, "INVALID_FIELD", []string{"url_or_upload_request_id", "INVALID_FORMAT"}},
		{"foreign URL", video, trackBody(subtitles("https://example.com/en.vtt")), 422, "INVALID_FIELD", []string{"url_or_upload_request_id", "INVALID_FORMAT"}},
	} {
		r := c.do("POST", "/uploads/"+tt.upload+"/tracks", tt.body)
		if r.status != tt.status || r.errCode() != tt.code {
			t.Errorf("%s: %d %s, want %d %s; %s", tt.name, r.status, r.errCode(), tt.status, tt.code, r.raw)
			continue
		}
		r.wantError(t, tt.status, tt.code, tt.detail...)
	}
	if m := c.do("POST", "/uploads/"+video+"/tracks", trackBody(subtitles("http://203.0.113.9/en.vtt"))).errDetail("message"); !strings.Contains(fmtAny(m), "never reaches the network") {
		t.Errorf("foreign URL message: %v", m)
	}
	c.do("GET", "/uploads/nope/tracks", nil).wantError(t, 404, "NOT_FOUND")
	c.do("DELETE", "/uploads/nope/tracks/x", nil).wantError(t, 404, "NOT_FOUND")
	c.do("DELETE", "/uploads/"+video+"/tracks/x", nil).wantError(t, 404, "NOT_FOUND")
	c.do("PUT", "/uploads/"+video+"/tracks/x", trackBody(subtitles(vtt))).wantError(t, 405, "INVALID_REQUEST")
	if got := c.trackStates(video); len(got) != 0 {
		t.Errorf("a refused create made a track: %v", got)
	}
}

// TestTracksGoWithTheirUpload: deleting an upload, over the CMA or in the UI, deletes its
// tracks; another upload's tracks stay.
func TestTracksGoWithTheirUpload(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	vtt := c.putFile("en.vtt", []byte(webVTT))
	a := c.createUpload("a.mp4", TinyMP4(1, 25), nil)["id"].(string)
	b := c.createUpload("b.mp4", TinyMP4(1, 25), nil)["id"].(string)
	for _, id := range []string{a, a, b} {
		c.createTrack(id, subtitles(vtt))
	}
	c.do("DELETE", "/uploads/"+a, nil).want(t, 200)
	c.do("GET", "/uploads/"+a+"/tracks", nil).wantError(t, 404, "NOT_FOUND")
	if len(s.Tracks("", a)) != 0 || len(s.Tracks("", b)) != 1 {
		t.Errorf("tracks of a %v, of b %v", s.Tracks("", a), s.Tracks("", b))
	}
	if err := s.DeleteUpload("", b); err != nil {
		t.Fatal(err)
	}
	if len(s.Tracks("", b)) != 0 {
		t.Errorf("tracks of a deleted upload: %v", s.Tracks("", b))
	}
}

// TestTracksInSandbox: tracks are per environment, and a sandbox refuses changes unless
// Behaviour.SandboxTracks allows them.
func TestTracksInSandbox(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	sb := c.inEnv("sandbox")
	video := sb.createUpload("clip.mp4", TinyMP4(1, 25), nil)["id"].(string)
	vtt := sb.putFile("en.vtt", []byte(webVTT))
	sb.do("POST", "/uploads/"+video+"/tracks", trackBody(subtitles(vtt))).wantError(t, 422, "IMMUTABLE_UPLOAD_TRACKS_IN_SANDBOX_ENVIRONMENT")
	if err := s.SetBehaviour(Behaviour{SandboxTracks: "allow"}); err != nil {
		t.Fatal(err)
	}
	id := sb.createTrack(video, subtitles(vtt))["id"].(string)
	c.do("GET", "/uploads/"+video+"/tracks", nil).wantError(t, 404, "NOT_FOUND") // not in main
	if got := sb.trackStates(video); len(got) != 1 || len(s.Tracks("sandbox", video)) != 1 {
		t.Errorf("sandbox tracks: %v", got)
	}
	if err := s.SetBehaviour(Behaviour{}); err != nil {
		t.Fatal(err)
	}
	sb.do("DELETE", "/uploads/"+video+"/tracks/"+id, nil).wantError(t, 422, "IMMUTABLE_UPLOAD_TRACKS_IN_SANDBOX_ENVIRONMENT")
}

func TestSyncTracks(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithSyncTracks(true))
	video := c.createUpload("clip.mp4", TinyMP4(1, 25), nil)["id"].(string)
	r := c.do("POST", "/uploads/"+video+"/tracks", trackBody(subtitles(c.putFile("en.vtt", []byte(webVTT)))))
	r.want(t, http.StatusCreated)
	id, _ := dig(r.doc, "data", "id").(string)
	if dig(r.doc, "data", "attributes", "status") != "ready" {
		t.Errorf("sync create: %s", r.raw)
	}
	r = c.do("DELETE", "/uploads/"+video+"/tracks/"+id, nil)
	r.want(t, http.StatusOK)
	if dig(r.doc, "data", "id") != id || len(c.trackStates(video)) != 0 {
		t.Errorf("sync delete: %s", r.raw)
	}
}
