package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// TestAntivirus_infectedNewUpload: an infected file fails the apply, naming the threat and
// the file; the upload stays in state (tainted) and the next apply, of a clean file,
// replaces it, leaving one clean upload in DatoCMS.
func TestAntivirus_infectedNewUpload(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := filepath.Join(t.TempDir(), "brochure.txt")
	writeFile(t, src, datocmstest.EICARTestFile())
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				ExpectError: wrappedError(`File is infected.*found Eicar-Signature in .*brochure.txt .*quarantined it.*kept in state, ` +
					`marked tainted.*next apply replaces it`),
			},
			{
				PreConfig: func() {
					if ups := srv.Uploads(""); len(ups) != 1 || ups[0].Antivirus.Status != "infected" {
						t.Errorf("after the failed apply the server holds %v, want one infected upload", ups)
					}
					writeFile(t, src, []byte("a clean brochure\n"))
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("antivirus_status"), knownvalue.StringExact("clean")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("threat_name"), knownvalue.Null()),
					serverCheck(func() error {
						if ups := srv.Uploads(""); len(ups) != 1 || ups[0].Antivirus.Status != "clean" {
							return fmt.Errorf("the server holds %v, want only the clean upload", ups)
						}
						return nil
					}),
				},
			},
		},
	})
}

// TestAntivirus_infectedReplacement: an infected new file for an existing upload fails the
// apply; the upload keeps its ID, and every plan uploads the local file again in place
// until it is clean.
func TestAntivirus_infectedReplacement(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := filepath.Join(t.TempDir(), "brochure.txt")
	writeFile(t, src, []byte("version 1\n"))
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src))
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id"))}},
			{
				PreConfig:   func() { writeFile(t, src, datocmstest.EICARTestFile()) },
				Config:      config,
				ExpectError: wrappedError(`File is infected.*keeps its ID.*next plan uploads the file again in place`),
			},
			{
				// Still infected locally: the plan uploads it again (and it fails again).
				Config:      config,
				ExpectError: wrappedError(`File is infected`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(testResource, tfjsonpath.New("antivirus_status")),
				}},
			},
			{
				PreConfig: func() { writeFile(t, src, []byte("version 2, clean\n")) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("antivirus_status"), knownvalue.StringExact("clean")),
					remoteBytes(srv, []byte("version 2, clean\n"), "brochure.txt"),
				},
			},
		},
	})
}

// TestAntivirus_waitsForTheScan: an apply waits while scans are pending, with the uploads'
// polls batched (no read of one upload at a time), and records the verdict.
func TestAntivirus_waitsForTheScan(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithAntivirusDelay(1500*time.Millisecond))
	dir := t.TempDir()
	var body strings.Builder
	for i := range 6 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("f%d.txt", i)), fmt.Appendf(nil, "file %d\n", i))
		fmt.Fprintf(&body, "resource \"datocms_upload\" \"f%d\" {\n  source = %q\n}\n", i, filepath.Join(dir, fmt.Sprintf("f%d.txt", i)))
	}
	var checks []statecheck.StateCheck
	for i := range 6 {
		checks = append(checks, statecheck.ExpectKnownValue(fmt.Sprintf("datocms_upload.f%d", i), tfjsonpath.New("antivirus_status"),
			knownvalue.StringExact("clean")))
	}
	checks = append(checks, serverCheck(func() error {
		single, batched, most := 0, 0, 0
		for _, r := range srv.Requests() {
			switch {
			case r.Method == "GET" && strings.HasPrefix(r.Path, "/uploads/") && strings.Count(r.Path, "/") == 2:
				single++
			case r.Method == "GET" && r.Path == "/uploads" && len(r.Query["filter[ids]"]) > 0:
				batched++
				most = max(most, len(strings.Split(r.Query["filter[ids]"][0], ",")))
			}
		}
		if single > 0 || batched == 0 || most < 2 {
			return fmt.Errorf("the scans were followed with %d single reads and %d batched ones of at most %d uploads, "+
				"want batched reads only, several uploads a batch", single, batched, most)
		}
		return nil
	}))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps:                    []resource.TestStep{{Config: providerBlock(srv, "") + body.String(), ConfigStateChecks: checks}},
	})
}

// TestAntivirus_quarantineIsDrift: a file quarantined after the apply is recorded by the
// refresh: a drift check finds it, and a postcondition on antivirus_status fails the plan.
func TestAntivirus_quarantineIsDrift(t *testing.T) {
	t.Parallel()
	cli, err := cliUnderTest()
	if err != nil {
		requireTerraform(t)
		t.Fatal(err)
	}
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := ws.Write("files/logo.txt", []byte("logo\n")); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig(`resource "datocms_upload" "logo" {
  source = "${path.module}/files/logo.txt"

  lifecycle {
    postcondition {
      condition     = self.antivirus_status == "clean"
      error_message = "DatoCMS quarantined ${self.filename}: ${coalesce(self.threat_name, "no threat named")}."
    }
  }
}
`); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	if err := srv.Quarantine("", srv.Uploads("")[0].ID, "Win.Test.Signature"); err != nil {
		t.Fatal(err)
	}
	res, err := ws.Run(ctx, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-out=drift.tfplan")
	if err != nil || res.ExitCode == 1 {
		t.Fatalf("drift check: %v\n%s", err, res)
	}
	if cli.lacks(featureRefreshOnlyExitCode) == "" && res.ExitCode != 2 {
		t.Errorf("drift check after a quarantine: exit %d, want 2\n%s", res.ExitCode, res)
	}
	show, err := ws.Run(ctx, "show", "-json", "drift.tfplan")
	if err != nil {
		t.Fatal(err)
	}
	var plan tfjson.Plan
	if err := json.Unmarshal([]byte(show.Stdout), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.ResourceDrift) != 1 || fmt.Sprint(plan.ResourceDrift[0].Change.After.(map[string]any)["antivirus_status"]) != "infected" {
		t.Errorf("resource_drift: %v, want the upload, now infected", plan.ResourceDrift)
	}
	res, err = ws.Run(ctx, "plan", "-input=false", "-no-color")
	out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " ")
	if err != nil || res.ExitCode != 1 || !strings.Contains(out, "Resource postcondition failed") ||
		!strings.Contains(out, "DatoCMS quarantined logo.txt: Win.Test.Signature.") {
		t.Errorf("plan with a postcondition on antivirus_status: want it to fail naming the threat: %v\n%s", err, res)
	}
}

// TestVideo_waitsForMux: a video's create waits for Mux's facts and exposes them; its
// poster time is written in the field-keyed metadata shape, refused in a locale-keyed
// environment, on a file that is not a video, and past the end of the video, at plan time.
func TestVideo_waitsForMux(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithMuxDelay(800*time.Millisecond), datocmstest.WithNonLocalizedFocalPoints("main", true))
	dir := t.TempDir()
	video, still := filepath.Join(dir, "hero.mp4"), filepath.Join(dir, "still.png")
	writeFile(t, video, datocmstest.TinyMP4(12.5, 25))
	writePNG(t, still, 3, 4, 4)
	config := func(src, poster string) string {
		return uploadConfig(srv, fmt.Sprintf("  source = %q\n  poster_time = %s\n", src, poster))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: config(video, "3.5"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("poster_time"), knownvalue.Float64Exact(3.5)),
					plancheck.ExpectUnknownValue(testResource, tfjsonpath.New("duration")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("duration"), knownvalue.Float64Exact(12.5)),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("frame_rate"), knownvalue.Float64Exact(25)),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("mux_playback_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{20,}$`))),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("mux_mp4_highest_res"), knownvalue.NotNull()),
					remote(srv, func(up datocmstest.Upload) error {
						if up.PosterTime == nil || *up.PosterTime != 3.5 {
							return fmt.Errorf("poster_time %v, want 3.5", up.PosterTime)
						}
						return nil
					}),
				},
			},
			{Config: config(video, "20"), PlanOnly: true, ExpectError: wrappedError(`poster_time past the end of the video.*20 s, but the video lasts 12.5 s`)},
			{Config: config(still, "1"), PlanOnly: true, ExpectError: wrappedError(`poster_time is for videos.*not a video`)},
			{
				// Removing it puts back Mux's default.
				Config: uploadConfig(srv, fmt.Sprintf("  source = %q\n", video)),
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					if up.PosterTime != nil {
						return fmt.Errorf("poster_time %v, want null", *up.PosterTime)
					}
					return nil
				})},
			},
		},
	})

	legacy := newTestServer(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: uploadConfig(legacy, fmt.Sprintf("  source = %q\n  poster_time = 1\n", video)), PlanOnly: true,
			ExpectError: wrappedError(`poster_time needs field-keyed metadata.*still locale-keyed`),
		}},
	})
	if n := legacy.WriteCount(); n != 0 {
		t.Errorf("a refused poster_time made %d writes", n)
	}
}

// TestReportScan: failed and skipped scans are warnings, infected an error; clean and
// pending say nothing (pending is awaitSettled's to report).
func TestReportScan(t *testing.T) {
	t.Parallel()
	threat := "Eicar-Signature"
	for status, want := range map[string]string{
		"clean": "", "pending": "", "failed": "warning: File not scanned for viruses", "skipped": "warning: File not scanned for viruses",
		"infected": "error: File is infected",
	} {
		var diags diag.Diagnostics
		up := &datocms.Upload{ID: "u1", AntivirusStatus: status, AntivirusThreat: &threat}
		reportScan(up, "a.txt", "then", &diags)
		got := ""
		if len(diags) > 0 {
			got = strings.ToLower(diags[0].Severity().String()) + ": " + diags[0].Summary()
		}
		if len(diags) > 1 || got != want {
			t.Errorf("%s: %q, want %q", status, got, want)
		}
	}
}

// TestAntivirus_pendingAtTheBound: a scan still pending when the wait runs out (here the
// create's timeout) is a warning, with pending in state; a metadata-only update after the
// scan finished keeps pending as planned (no inconsistent result), and the refresh records
// the verdict.
func TestAntivirus_pendingAtTheBound(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithAntivirusDelay(7*time.Second))
	src := filepath.Join(t.TempDir(), "notes.txt")
	writeFile(t, src, []byte("notes\n"))
	config := func(author string) string {
		return uploadConfig(srv, fmt.Sprintf("  source = %q\n  author = %q\n  timeouts {\n    create = \"13s\"\n  }\n", src, author))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: config("Ann"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("antivirus_status"), knownvalue.StringExact("pending")),
				},
			},
			{
				// Planned while pending; the scan ends between the plan and the apply.
				Config: config("Bob"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("antivirus_status"), knownvalue.StringExact("pending")),
					planSideEffect(func() error { time.Sleep(5 * time.Second); return nil }),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("author"), knownvalue.StringExact("Bob")),
					// As planned: what DatoCMS found out since is the refresh's to record.
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("antivirus_status"), knownvalue.StringExact("pending")),
				},
			},
			{
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(testResource, "antivirus_status", "clean"),
			},
			{
				Config:   config("Bob"),
				PlanOnly: true,
			},
		},
	})
}

// TestVideo_posterTimeInMetadata: datocms_upload_metadata sets a video's poster time, checked
// against the video's length at plan time.
func TestVideo_posterTimeInMetadata(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithNonLocalizedFocalPoints("main", true))
	ups := seedUploads(t, srv, []seedUpload{{name: "clip.mp4", content: datocmstest.TinyMP4(6, 30)}})
	config := func(poster string) string {
		return providerBlock(srv, "") + fmt.Sprintf("resource \"datocms_upload_metadata\" \"clip\" {\n  upload_id = %q\n  poster_time = %s\n}\n",
			ups[0].ID, poster)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("7"), PlanOnly: true, ExpectError: wrappedError(`poster_time past the end of the video.*7 s, but the video lasts 6 s`)},
			{
				Config: config("2.5"),
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					if up.PosterTime == nil || *up.PosterTime != 2.5 {
						return fmt.Errorf("poster_time %v, want 2.5", up.PosterTime)
					}
					return nil
				})},
			},
		},
	})
}

// TestAntivirus_unscannedAndUnprocessedWarn: an apply whose new files DatoCMS could not scan
// (failed, skipped) warns naming each file and succeeds with the verdict in state; a video
// Mux has not processed when the wait runs out (here the create's timeout) warns too, with
// its facts null in state, and the next refresh records them without planning a change.
func TestAntivirus_unscannedAndUnprocessedWarn(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	srv := newTestServer(t, datocmstest.WithAntivirusDelay(2*time.Second), datocmstest.WithMuxDelay(8*time.Second))
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for name, content := range map[string][]byte{"a.txt": []byte("a\n"), "b.txt": []byte("b\n"), "hero.mp4": datocmstest.TinyMP4(12.5, 25)} {
		if err := ws.Write("files/"+name, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.WriteConfig(`resource "datocms_upload" "a" {
  source = "${path.module}/files/a.txt"
}

resource "datocms_upload" "b" {
  source = "${path.module}/files/b.txt"
}

resource "datocms_upload" "hero" {
  source = "${path.module}/files/hero.mp4"
  timeouts {
    create = "13s"
  }
}
`); err != nil {
		t.Fatal(err)
	}

	// While the scans run, DatoCMS's scanner gives up on a.txt and skips b.txt.
	verdicts := map[string]string{"a.txt": "failed", "b.txt": "skipped"}
	setterDone := make(chan error, 1)
	go func() {
		for len(verdicts) > 0 && ctx.Err() == nil {
			for _, up := range srv.Uploads("") {
				if v, ok := verdicts[up.Filename]; ok && up.Antivirus.Status == "pending" {
					if err := srv.SetAntivirus("", up.ID, v, ""); err != nil {
						setterDone <- err
						return
					}
					delete(verdicts, up.Filename)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		setterDone <- ctx.Err()
	}()
	res, err := ws.Apply(ctx, "-json")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	if err := <-setterDone; err != nil {
		t.Fatalf("setting the scans' verdicts: %v", err)
	}
	// Terraform's human output folds similar warnings into one; its JSON stream has each.
	diags := strings.Join(planDiagnostics(t, res.Stdout), "\n")
	for _, want := range []string{
		`(?m)^warning\|datocms_upload\.a\|File not scanned for viruses\|.*files/a\.txt \(upload \S+\) ended "failed": the file is served unscanned`,
		`(?m)^warning\|datocms_upload\.b\|File not scanned for viruses\|.*files/b\.txt \(upload \S+\) ended "skipped": the file is served unscanned`,
		`(?m)^warning\|datocms_upload\.hero\|DatoCMS has not finished with the new file\|After \d+s, (its antivirus scan is still pending .*, and )?Mux has not reported its duration and frame rate yet`,
	} {
		if !regexp.MustCompile(want).MatchString(diags) {
			t.Errorf("apply diagnostics lack %s:\n%s", want, diags)
		}
	}
	state, err := ws.StateValues(ctx, "datocms_upload")
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{"datocms_upload.a": "failed", "datocms_upload.b": "skipped"} {
		if got := state[addr]["antivirus_status"]; got != want {
			t.Errorf("%s antivirus_status = %v, want %s", addr, got, want)
		}
	}
	if d := state["datocms_upload.hero"]["duration"]; d != nil {
		t.Errorf("hero duration = %v, want null: Mux had not reported it", d)
	}

	// Once Mux is done, a plan records its facts and plans nothing.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if up, ok := uploadNamed(srv, "hero.mp4"); ok && up.Duration != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Mux never finished with hero.mp4")
		}
	}
	if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
		t.Errorf("plan after Mux finished: want no changes (%v)\n%s", err, res)
	}
	if res, err := ws.Run(ctx, "apply", "-refresh-only", "-auto-approve", "-input=false"); err != nil || res.ExitCode != 0 {
		t.Fatalf("refresh: %v\n%s", err, res)
	}
	if state, err = ws.StateValues(ctx, "datocms_upload"); err != nil {
		t.Fatal(err)
	}
	if d := state["datocms_upload.hero"]["duration"]; d != 12.5 {
		t.Errorf("hero duration after the refresh = %v, want 12.5", d)
	}
}

// uploadNamed is the upload of srv's primary environment with this file name.
func uploadNamed(srv *datocmstest.Server, filename string) (datocmstest.Upload, bool) {
	for _, up := range srv.Uploads("") {
		if up.Filename == filename {
			return up, true
		}
	}
	return datocmstest.Upload{}, false
}
