package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

const trackAddress = "datocms_upload_track.en"

// trackConfig is a video with an English subtitle track (and more blocks).
func trackConfig(srv *datocmstest.Server, dir, more string) string {
	return providerBlock(srv, "") + fmt.Sprintf(`
resource "datocms_upload" "video" {
  source = %q
}

resource "datocms_upload_track" "en" {
  upload_id     = datocms_upload.video.id
  type          = "subtitles"
  source        = %q
  name          = "English"
  language_code = "en"

  lifecycle {
    create_before_destroy = true
  }
}
%s`, filepath.Join(dir, "hero.mp4"), filepath.Join(dir, "hero.en.vtt"), more)
}

// serverTracks asserts the tracks DatoCMS holds for the only video: their languages and
// statuses, in order.
func serverTracks(srv *datocmstest.Server, want ...string) serverCheck {
	return func() error {
		var got []string
		for _, up := range srv.Uploads("") {
			for _, t := range srv.Tracks("", up.ID) {
				got = append(got, t.LanguageCode+":"+t.Status)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("DatoCMS holds the tracks %v, want %v", got, want)
		}
		return nil
	}
}

// TestAccUploadTrack_lifecycle: a WebVTT subtitle track is created from a local file and the
// create waits until it is ready; a track deleted in DatoCMS is created again; a new file
// replaces it (before the old one goes); it imports as upload_id/track_id; the data source
// lists it; a track DatoCMS cannot prepare fails with DatoCMS's reason and leaves nothing.
func TestAccUploadTrack_lifecycle(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithTrackDelay(400*time.Millisecond))
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "hero.mp4"), datocmstest.TinyMP4(4, 25))
	writeFile(t, filepath.Join(dir, "hero.en.vtt"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nWelcome\n"))
	writeFile(t, filepath.Join(dir, "hero.it.vtt"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nBenvenuti\n"))
	listed := `
data "datocms_upload_tracks" "video" {
  upload_id  = datocms_upload.video.id
  depends_on = [datocms_upload_track.en]
}
`
	italian := fmt.Sprintf(`
resource "datocms_upload_track" "it" {
  upload_id     = datocms_upload.video.id
  type          = "subtitles"
  source        = %q
  name          = "Italiano"
  language_code = "it"
}
`, filepath.Join(dir, "hero.it.vtt"))
	var firstID string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: trackConfig(srv, dir, listed),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(trackAddress, tfjsonpath.New("status"), knownvalue.StringExact("ready")),
					statecheck.ExpectKnownValue(trackAddress, tfjsonpath.New("md5"), knownvalue.StringExact(md5Of(readFile(t, filepath.Join(dir, "hero.en.vtt"))))),
					statecheck.ExpectKnownValue("data.datocms_upload_tracks.video", tfjsonpath.New("tracks"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"language_code": knownvalue.StringExact("en"), "name": knownvalue.StringExact("English"),
							"type": knownvalue.StringExact("subtitles"), "status": knownvalue.StringExact("ready"),
						}),
					})),
					serverTracks(srv, "en:ready"),
				},
			},
			{
				// Deleted in the UI: the plan creates it again.
				PreConfig: func() {
					up, err := onlyUpload(srv)
					if err != nil {
						t.Fatal(err)
					}
					tracks := srv.Tracks("", up.ID)
					if len(tracks) != 1 {
						t.Fatalf("tracks: %v", tracks)
					}
					firstID = tracks[0].ID
					if err := srv.DeleteTrack("", up.ID, firstID); err != nil {
						t.Fatal(err)
					}
				},
				Config: trackConfig(srv, dir, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(trackAddress, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{serverTracks(srv, "en:ready")},
			},
			{
				// A new file replaces the track, the new one first.
				PreConfig: func() {
					writeFile(t, filepath.Join(dir, "hero.en.vtt"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nWelcome, again\n"))
				},
				Config: trackConfig(srv, dir, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(trackAddress, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{serverTracks(srv, "en:ready")},
			},
			{
				ResourceName:            trackAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"source", "md5", "timeouts"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					rs := s.RootModule().Resources[trackAddress]
					return rs.Primary.Attributes["upload_id"] + "/" + rs.Primary.ID, nil
				},
			},
			{
				// DatoCMS cannot prepare the Italian track: the apply fails with its reason and
				// leaves no track behind.
				PreConfig:   func() { srv.FailNextTracks(1, "cue 1 has no end time") },
				Config:      trackConfig(srv, dir, italian),
				ExpectError: wrappedError(`Track could not be prepared.*Italiano.*cue 1 has no end time.*deleted again, so nothing is left behind`),
			},
			{
				PreConfig: func() {
					if err := serverTracks(srv, "en:ready")(); err != nil {
						t.Error(err)
					}
				},
				Config: trackConfig(srv, dir, italian),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("datocms_upload_track.it", tfjsonpath.New("status"), knownvalue.StringExact("ready")),
				},
			},
		},
	})
}

// TestAccUploadTrack_validation: what a track needs is checked at plan time.
func TestAccUploadTrack_validation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var steps []resource.TestStep
	for body, want := range map[string]string{
		`language_code = "english please"` + "\n  source = \"a.vtt\"": `Invalid language code.*"english please" is not a BCP 47 language tag`,
		`language_code = "en"`: `Set one of source and source_url`,
		`language_code = "en"` + "\n  source = \"a.vtt\"\n  source_url = \"https://cdn.example.com/a.vtt\"": `Set one of source and source_url`,
		`language_code = "en"` + "\n  source_url = \"http://cdn.example.com/a.vtt\"":                        `Invalid source_url.*plain http`,
	} {
		steps = append(steps, resource.TestStep{
			Config: providerBlock(srv, "") + fmt.Sprintf(`
resource "datocms_upload_track" "x" {
  upload_id = "u1"
  type      = "subtitles"
  name      = "English"
  %s
}
`, body),
			PlanOnly:    true,
			ExpectError: wrappedError(want),
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// TestUploadTrack_interruptedCreateIsAdopted: terraform killed (-9) while a track's create
// waits for DatoCMS leaves a track in DatoCMS and in no state; the next apply adopts that
// track (it did not exist before the killed create) instead of making a second one.
func TestUploadTrack_interruptedCreateIsAdopted(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithTrackDelay(3*time.Second))
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := ws.Write("hero.mp4", datocmstest.TinyMP4(4, 25)); err != nil {
		t.Fatal(err)
	}
	if err := ws.Write("hero.en.vtt", []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nWelcome\n")); err != nil {
		t.Fatal(err)
	}
	video := "resource \"datocms_upload\" \"video\" {\n  source = \"${path.module}/hero.mp4\"\n}\n"
	if err := ws.WriteConfig(video); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	up, err := onlyUpload(srv)
	if err != nil {
		t.Fatal(err)
	}
	track := video + `resource "datocms_upload_track" "en" {
  upload_id     = datocms_upload.video.id
  type          = "subtitles"
  source        = "${path.module}/hero.en.vtt"
  name          = "English"
  language_code = "en"
}
`
	if err := ws.WriteConfig(track); err != nil {
		t.Fatal(err)
	}
	cmd := ws.Command(ctx, "apply", "-auto-approve", "-input=false")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for len(srv.Tracks("", up.ID)) == 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	scenario.KillGroup(cmd)
	made := srv.Tracks("", up.ID)
	if len(made) != 1 || made[0].Status != "preparing" {
		t.Fatalf("after the kill DatoCMS holds %v, want one preparing track", made)
	}
	res, err := ws.Apply(ctx)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("apply after the kill: %v\n%s", err, res)
	}
	after := srv.Tracks("", up.ID)
	ids, err := ws.StateIDs(ctx, "datocms_upload_track")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 1 || after[0].ID != made[0].ID || after[0].Status != "ready" || ids["datocms_upload_track.en"] != made[0].ID {
		t.Errorf("after the next apply DatoCMS holds %v and the state %v; want the killed create's track %s, adopted and ready",
			after, ids, made[0].ID)
	}
}

// TestUploadTrack_timeouts: a track DatoCMS has not prepared within timeouts.create fails the
// apply and stays in state, tainted; the next apply (another terraform process, as the create
// journal sees it) replaces it with a new track rather than adopting the tainted one, leaving
// one ready track; a change of timeouts alone updates in place, keeping the md5.
func TestUploadTrack_timeouts(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithTrackDelay(3*time.Second))
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	subtitles := []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nWelcome\n")
	if err := ws.Write("hero.mp4", datocmstest.TinyMP4(4, 25)); err != nil {
		t.Fatal(err)
	}
	if err := ws.Write("hero.en.vtt", subtitles); err != nil {
		t.Fatal(err)
	}
	apply := func(create string) (scenario.Result, map[string]any) {
		t.Helper()
		if err := ws.WriteConfig(fmt.Sprintf(`resource "datocms_upload" "video" {
  source = "${path.module}/hero.mp4"
}

resource "datocms_upload_track" "en" {
  upload_id     = datocms_upload.video.id
  type          = "subtitles"
  source        = "${path.module}/hero.en.vtt"
  name          = "English"
  language_code = "en"

  timeouts = {
    create = %q
  }

  lifecycle {
    create_before_destroy = true
  }
}
`, create)); err != nil {
			t.Fatal(err)
		}
		res, err := ws.Apply(ctx, "-no-color")
		if err != nil {
			t.Fatal(err)
		}
		state, err := ws.StateValues(ctx, "datocms_upload_track")
		if err != nil {
			t.Fatal(err)
		}
		return res, state["datocms_upload_track.en"]
	}

	res, tainted := apply("1s")
	out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " ")
	if res.ExitCode != 1 || !regexp.MustCompile(`Track not ready.*did not finish preparing it.*marked tainted`).MatchString(out) {
		t.Fatalf("apply with a 1 s create timeout: want it to fail with \"Track not ready\"\n%s", res)
	}
	if tainted == nil || tainted["status"] != "preparing" {
		t.Fatalf("after the timeout the state holds %v, want the preparing track", tainted)
	}

	res, ready := apply("30s")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "1 added, 0 changed, 1 destroyed") {
		t.Fatalf("apply after the timeout: want the tainted track replaced\n%s", res)
	}
	up, err := onlyUpload(srv)
	if err != nil {
		t.Fatal(err)
	}
	held := srv.Tracks("", up.ID)
	if len(held) != 1 || held[0].Status != "ready" || held[0].ID != ready["id"] || ready["id"] == tainted["id"] {
		t.Fatalf("DatoCMS holds %v and the state %v (tainted %v): want one ready track, a new one, in state", held, ready["id"], tainted["id"])
	}

	res, updated := apply("40s")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "0 added, 1 changed, 0 destroyed") {
		t.Fatalf("apply of a timeouts change: want an update in place\n%s", res)
	}
	if updated["id"] != ready["id"] || updated["md5"] != md5Of(subtitles) {
		t.Errorf("after a timeouts change the state holds id %v md5 %v, want %v and %s", updated["id"], updated["md5"], ready["id"], md5Of(subtitles))
	}
}
