package datocmstest

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"
)

// eicarForTest is the EICAR test string, built here independently of the server's copy
// (cut elsewhere, so no file holds it whole), so a typo there cannot hide here.
func eicarForTest() []byte {
	return []byte("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EIC" + "AR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
}

var checkedAtRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// wantAntivirus checks meta.antivirus of an upload document.
func wantAntivirus(t *testing.T, up any, status string, checked bool, threat any) {
	t.Helper()
	av := dig(up, "meta", "antivirus")
	at, _ := dig(av, "checked_at").(string)
	if dig(av, "status") != status || checkedAtRE.MatchString(at) != checked || dig(av, "threat_name") != threat {
		t.Errorf("meta.antivirus = %v, want %s, checked_at set %v, threat %v", av, status, checked, threat)
	}
}

func TestAntivirusVerdicts(t *testing.T) {
	t.Parallel()
	if !bytes.Equal(EICARTestFile(), eicarForTest()) {
		t.Fatalf("EICARTestFile() = %q", EICARTestFile())
	}
	s, c := newTestServer(t)
	clean := c.createUpload("a.txt", []byte("nothing to see"), nil)
	wantAntivirus(t, clean, "clean", true, nil)
	if r := get(c, dig(clean, "attributes", "url").(string)); r.status != http.StatusOK {
		t.Errorf("clean asset: %d", r.status)
	}

	// The test string anywhere in the file, as a scanner finds it.
	infected := c.createUpload("b.txt", append([]byte("prefix "), eicarForTest()...), nil)
	wantAntivirus(t, infected, "infected", true, "Eicar-Signature")
	if r := get(c, dig(infected, "attributes", "url").(string)); r.status != http.StatusGone {
		t.Errorf("infected asset: %d, want 410", r.status)
	}
	id := infected["id"].(string)
	wantAntivirus(t, c.do("GET", "/uploads/"+id, nil).doc.(map[string]any)["data"], "infected", true, "Eicar-Signature")
	if u, _ := s.Upload("", id); u.Antivirus.Status != "infected" || u.Antivirus.CheckedAt == nil || deref(u.Antivirus.ThreatName) != "Eicar-Signature" {
		t.Errorf("Upload().Antivirus = %+v", u.Antivirus)
	}

	// A new file is scanned again: the replaced upload is clean and served.
	replaced := c.update(id, "", map[string]any{"path": c.putFile("c.txt", []byte("fixed"))})
	wantAntivirus(t, replaced, "clean", true, nil)
	if r := get(c, dig(replaced, "attributes", "url").(string)); r.status != http.StatusOK {
		t.Errorf("replaced asset: %d", r.status)
	}
	// ... and so is a file the UI replaces.
	if err := s.ReplaceFile("", id, "d.txt", eicarForTest()); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Upload("", id); u.Antivirus.Status != "infected" {
		t.Errorf("after ReplaceFile: %+v", u.Antivirus)
	}
}

func TestVirusScannerAcrossWrites(t *testing.T) {
	t.Parallel()
	file := append(append([]byte("0123456789"), eicarForTest()...), "tail"...)
	for cut := range len(file) {
		var v virusScanner
		_, _ = v.Write(file[:cut])
		for _, b := range file[cut:] { // the rest one byte at a time
			_, _ = v.Write([]byte{b})
		}
		if v.threat() != eicarThreat {
			t.Fatalf("not found when cut at %d", cut)
		}
	}
	var v virusScanner
	almost := eicarForTest()
	_, _ = v.Write(almost[:len(almost)-1])
	_, _ = v.Write([]byte("x"))
	if v.threat() != "" {
		t.Error("found in a file that lacks the last byte")
	}
}

func TestAntivirusDelay(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	s, c := newTestServer(t, withClock(clk.now), WithAntivirusDelay(2*time.Second))
	up := c.createUpload("a.txt", []byte("a"), nil)
	wantAntivirus(t, up, "pending", false, nil)
	id := up["id"].(string)
	clk.advance(1999 * time.Millisecond)
	wantAntivirus(t, c.do("GET", "/uploads/"+id, nil).doc.(map[string]any)["data"], "pending", false, nil)
	clk.advance(time.Millisecond)
	got := c.do("GET", "/uploads/"+id, nil).doc.(map[string]any)["data"]
	wantAntivirus(t, got, "clean", true, nil)
	if at, want := dig(got, "meta", "antivirus", "checked_at"), formatTime(clk.now()); at != want {
		t.Errorf("checked_at = %v, want %s", at, want)
	}

	// A replacement is pending again, and an infected one turns infected when due.
	c.update(id, "", map[string]any{"path": c.putFile("b.txt", eicarForTest())})
	if u, _ := s.Upload("", id); u.Antivirus.Status != "pending" || u.Antivirus.CheckedAt != nil {
		t.Errorf("after replace: %+v", u.Antivirus)
	}
	clk.advance(2 * time.Second)
	if u, _ := s.Upload("", id); u.Antivirus.Status != "infected" {
		t.Errorf("after the delay: %+v", u.Antivirus)
	}

	// A verdict set while a scan runs wins over it.
	c.update(id, "", map[string]any{"path": c.putFile("c.txt", []byte("c"))})
	if err := s.SetAntivirus("", id, "failed", ""); err != nil {
		t.Fatal(err)
	}
	clk.advance(2 * time.Second)
	if u, _ := s.Upload("", id); u.Antivirus.Status != "failed" {
		t.Errorf("scan overrode SetAntivirus: %+v", u.Antivirus)
	}
}

func TestQuarantineRoute(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	up := c.createUpload("a.txt", []byte("a"), nil)
	id, url := up["id"].(string), dig(up, "attributes", "url").(string)

	r := adminDo(t, s, "POST", "/_local/uploads/"+id+"/quarantine", nil)
	r.want(t, http.StatusOK)
	if dig(r.doc, "antivirus", "status") != "infected" || dig(r.doc, "antivirus", "threat_name") != "Eicar-Signature" || dig(r.doc, "environment") != "main" {
		t.Errorf("quarantine answer %s", r.raw)
	}
	if got := get(c, url); got.status != http.StatusGone {
		t.Errorf("quarantined asset: %d", got.status)
	}
	wantAntivirus(t, c.do("GET", "/uploads/"+id, nil).doc.(map[string]any)["data"], "infected", true, "Eicar-Signature")

	// failed and skipped, for clients' warnings; the file is served again.
	r = adminDo(t, s, "POST", "/_local/uploads/"+id+"/quarantine", map[string]any{"status": "skipped"})
	r.want(t, http.StatusOK)
	wantAntivirus(t, c.do("GET", "/uploads/"+id, nil).doc.(map[string]any)["data"], "skipped", false, nil)
	if got := get(c, url); got.status != http.StatusOK {
		t.Errorf("skipped asset: %d", got.status)
	}
	adminDo(t, s, "POST", "/_local/uploads/"+id+"/quarantine", map[string]any{"status": "failed"}).want(t, http.StatusOK)
	wantAntivirus(t, c.do("GET", "/uploads/"+id, nil).doc.(map[string]any)["data"], "failed", true, nil)

	// In another environment, with a threat name; and through Go.
	sb := c.inEnv("sandbox")
	sid := sb.createUpload("b.txt", []byte("b"), nil)["id"].(string)
	adminDo(t, s, "POST", "/_local/uploads/"+sid+"/quarantine", map[string]any{"environment": "sandbox", "threat_name": "Win.Trojan.X"}).want(t, http.StatusOK)
	wantAntivirus(t, sb.do("GET", "/uploads/"+sid, nil).doc.(map[string]any)["data"], "infected", true, "Win.Trojan.X")
	if err := s.Quarantine("", id, ""); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Upload("", id); u.Antivirus.Status != "infected" {
		t.Errorf("Quarantine: %+v", u.Antivirus)
	}

	for _, tt := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"POST", "/_local/uploads/nope/quarantine", nil, 404},
		{"POST", "/_local/uploads/" + id + "/quarantine", map[string]any{"environment": "nope"}, 400},
		{"POST", "/_local/uploads/" + id + "/quarantine", map[string]any{"status": "dirty"}, 400},
		{"POST", "/_local/uploads/" + id + "/quarantine", map[string]any{"status": "clean", "threat_name": "X"}, 400},
		{"POST", "/_local/uploads/" + id + "/quarantine", map[string]any{"typo": 1}, 400},
		{"GET", "/_local/uploads/" + id + "/quarantine", nil, 405},
		{"POST", "/_local/uploads/" + id + "/rescan", nil, 404},
	} {
		if r := adminDo(t, s, tt.method, tt.path, tt.body); r.status != tt.status {
			t.Errorf("%s %s %v: %d, want %d (%s)", tt.method, tt.path, tt.body, r.status, tt.status, r.raw)
		}
	}
}

// wantMux checks the Mux attributes of an upload document; nil duration means all null.
func wantMux(t *testing.T, up any, duration, fps any, res any) {
	t.Helper()
	a := dig(up, "attributes").(map[string]any)
	id, _ := a["mux_playback_id"].(string)
	if a["duration"] != duration || a["frame_rate"] != fps || a["mux_mp4_highest_res"] != res ||
		(duration == nil) != (a["mux_playback_id"] == nil) || (duration != nil && !regexp.MustCompile(`^[A-Za-z0-9]{44}$`).MatchString(id)) {
		t.Errorf("mux attributes: duration %v frame_rate %v res %v playback %v; want %v %v %v",
			a["duration"], a["frame_rate"], a["mux_mp4_highest_res"], a["mux_playback_id"], duration, fps, res)
	}
	if a["width"] != nil || a["height"] != nil {
		t.Errorf("a video has width %v height %v, want null (API §5.2)", a["width"], a["height"])
	}
}

func TestMuxDelayAndReplace(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	s, c := newTestServer(t, withClock(clk.now), WithMuxDelay(5*time.Second))
	up := c.createUpload("clip.mp4", TinyMP4(2.5, 24), nil)
	wantMux(t, up, nil, nil, nil)
	id := up["id"].(string)
	current := func() map[string]any {
		return c.do("GET", "/uploads/"+id, nil).doc.(map[string]any)["data"].(map[string]any)
	}
	clk.advance(4 * time.Second)
	wantMux(t, current(), nil, nil, nil)
	clk.advance(time.Second)
	first := current()
	wantMux(t, first, 2.5, 24.0, "medium")
	if u, _ := s.Upload("", id); u.Duration == nil || *u.Duration != 2.5 || *u.FrameRate != 24 || u.MuxPlaybackID == nil {
		t.Errorf("Upload() = duration %v frame rate %v playback %v", u.Duration, u.FrameRate, u.MuxPlaybackID)
	}

	// A new file resets them until Mux is done with it, with a new playback ID.
	wantMux(t, c.update(id, "", map[string]any{"path": c.putFile("other.mp4", TinyMP4(4, 30))}), nil, nil, nil)
	clk.advance(5 * time.Second)
	second := current()
	wantMux(t, second, 4.0, 30.0, "medium")
	if dig(second, "attributes", "mux_playback_id") == dig(first, "attributes", "mux_playback_id") {
		t.Error("the playback ID survived a new file")
	}
	// A file that is no video has none of them.
	c.update(id, "", map[string]any{"path": c.putFile("notes.txt", []byte("text"))})
	clk.advance(5 * time.Second)
	if a := current()["attributes"].(map[string]any); a["duration"] != nil || a["mux_playback_id"] != nil {
		t.Errorf("a text file has Mux data: %v", a)
	}
}

func TestMuxFallbacks(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t)
	for _, tt := range []struct {
		name    string
		content []byte
		dur     any
		fps     any
		res     any
	}{
		{"header.mp4", TinyMP4(3, 25), 3.0, 25.0, "medium"},
		{"no-stts.mov", TinyMP4(3, 0), 3.0, 30.0, "medium"},
		{"junk.mp4", []byte("not a video"), 10.0, 30.0, "high"},
		{"any.webm", []byte("webm bytes"), 10.0, 30.0, "high"},
	} {
		t.Log(tt.name)
		wantMux(t, c.createUpload(tt.name, tt.content, nil), tt.dur, tt.fps, tt.res)
	}
	a := c.createUpload("a.txt", []byte("x"), nil)["attributes"].(map[string]any)
	if a["duration"] != nil || a["frame_rate"] != nil || a["mux_playback_id"] != nil || a["mux_mp4_highest_res"] != nil {
		t.Errorf("text upload has Mux data: %v", a)
	}
}

func TestReadVideoFacts(t *testing.T) {
	t.Parallel()
	mdat := box("mdat", bytes.Repeat([]byte{7}, 1000))
	// A box with a 64-bit size, as large mdat boxes have.
	wide := append(append(append([]byte{0, 0, 0, 1}, "free"...), 0, 0, 0, 0, 0, 0, 0, 20), 1, 2, 3, 4)
	for _, tt := range []struct {
		name string
		file []byte
		want videoFacts
	}{
		{"moov first", TinyMP4(2.5, 24), videoFacts{duration: 2.5, frameRate: 24, height: 720}},
		{"moov after media", slices.Concat(mdat, wide, TinyMP4(61, 60)), videoFacts{duration: 61, frameRate: 60, height: 720}},
		{"no stts", TinyMP4(1, 0), videoFacts{duration: 1, height: 720}},
		{"truncated", TinyMP4(1, 30)[:60], videoFacts{}},
		{"not a video", []byte("hello world, this is text"), videoFacts{}},
	} {
		if got := readVideoFacts(bytes.NewReader(tt.file)); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
