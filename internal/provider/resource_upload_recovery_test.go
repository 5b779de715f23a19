package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
	"github.com/assetform/terraform-provider-datocms/internal/createjournal"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// serverUploadCount asserts how many uploads the server holds.
func serverUploadCount(srv *datocmstest.Server, want int) serverCheck {
	return func() error {
		if n := len(srv.Uploads("")); n != want {
			return fmt.Errorf("server holds %d uploads, want %d", n, want)
		}
		return nil
	}
}

// TestAccUpload_wrongBaseURLKeepsState: with base_url pointing at a path where every request
// answers 404, the refresh fails naming base_url instead of dropping the upload from state;
// with the right URL again, nothing changed.
func TestAccUpload_wrongBaseURLKeepsState(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 40, 8, 8)
	body := fmt.Sprintf("  source = %q\n", src)
	wrong := fmt.Sprintf("provider \"datocms\" {\n  base_url  = %q\n  api_token = %q\n}\nresource \"datocms_upload\" \"test\" {\n%s}\n",
		srv.URL()+"/extra", testToken, body)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: uploadConfig(srv, body), ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id"))}},
			{
				Config:      wrong,
				ExpectError: wrappedError(`base_url is not the DatoCMS API.*/extra does not answer as the DatoCMS Content Management API.*Check base_url \(in the provider block\)`),
			},
			{
				Config: uploadConfig(srv, body),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					serverUploadCount(srv, 1),
				},
			},
		},
	})
}

// TestAccUpload_otherEnvironmentKeepsState: an upload recorded in one environment is not
// taken for deleted when the provider is pointed at another environment that lacks it.
func TestAccUpload_otherEnvironmentKeepsState(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithEnvironments("main", "staging"))
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 41, 8, 8)
	body := fmt.Sprintf("resource \"datocms_upload\" \"test\" {\n  source = %q\n}\n", src)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv, "", "staging"),
		Steps: []resource.TestStep{
			{Config: providerBlock(srv, "") + body},
			{
				Config:      providerBlock(srv, "staging") + body,
				ExpectError: wrappedError(`was created in environment \(primary\), but the provider now manages environment "staging"`),
			},
			{Config: providerBlock(srv, "") + body, PlanOnly: true},
		},
	})
}

// TestAccUpload_pendingCreateFailsLater: a create that times out while its job runs, and
// whose job then fails, is created again cleanly by the next apply: one upload in the end.
func TestAccUpload_pendingCreateFailsLater(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 42, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n  timeouts {\n    create = \"1s\"\n  }\n", src))
	var pendingID string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					srv.SetJobDelay(2 * time.Second)
					srv.FailNextJobs(1, false)
				},
				Config:      config,
				ExpectError: wrappedError(`Timed out creating upload.*What happens next`),
			},
			{
				PreConfig: func() {
					srv.SetJobDelay(100 * time.Millisecond)
					for _, r := range srv.Requests() {
						if r.Method == "POST" && r.Path == "/uploads" {
							data, _ := r.Body.(map[string]any)["data"].(map[string]any)
							pendingID, _ = data["id"].(string)
						}
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					serverUploadCount(srv, 1),
					serverCheck(func() error {
						if up, _ := onlyUpload(srv); up.ID == pendingID || pendingID == "" {
							return fmt.Errorf("the upload is %s, the failed create's id was %q: want a new create", up.ID, pendingID)
						}
						return nil
					}),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccUpload_pendingCreateDestroyWaits: destroying an upload whose create is still
// running waits for the job and deletes what it produced.
func TestAccUpload_pendingCreateDestroyWaits(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 43, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n  timeouts {\n    create = \"1s\"\n  }\n", src))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv), // the job finished after the timeout; destroy deleted it
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.SetJobDelay(2500 * time.Millisecond) },
				Config:      config,
				ExpectError: wrappedError(`Timed out creating upload`),
			},
		},
	})
}

// TestAccUpload_remoteDuplicateTags: tags stored twice by another API client do not break
// plans ("Duplicate Set Element"): they read as one tag.
func TestAccUpload_remoteDuplicateTags(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 44, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n  tags = [\"dup\"]\n", src))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					up, err := onlyUpload(srv)
					if err == nil {
						err = srv.EditUpload("", up.ID, func(u *datocmstest.Upload) { u.Tags = []string{"dup", "dup"} })
					}
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:   config,
				PlanOnly: true,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("dup")})),
				},
			},
		},
	})
}

// TestGenerateConfigOut: `terraform plan -generate-config-out` writes a block for an imported
// upload with no file argument (the API cannot know the local file); that block is valid as
// it is (the file is then left as DatoCMS has it), and after the import the plan is empty.
func TestGenerateConfigOut(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	created := "resource \"datocms_upload\" \"original\" {\n  content = \"hello\"\n  basename = \"hello\"\n  extension = \"txt\"\n" +
		"  author = \"Ann\"\n  tags = [\"t1\"]\n  default_field_metadata = { en = { alt = \"Hi\", focal_point = { x = 0.1, y = 0.2 } } }\n}\n"
	if err := ws.WriteConfig(created); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	id := srv.Uploads("")[0].ID
	if res, err := ws.Run(ctx, "state", "rm", "datocms_upload.original"); err != nil || res.ExitCode != 0 {
		t.Fatalf("state rm: %v\n%s", err, res)
	}
	if err := ws.WriteConfig(fmt.Sprintf("import {\n  to = datocms_upload.adopted\n  id = %q\n}\n", id)); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Run(ctx, "plan", "-generate-config-out=generated.tf", "-input=false"); err != nil || res.ExitCode != 0 {
		t.Fatalf("plan -generate-config-out: %v\n%s", err, res)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 || !strings.Contains(res.Stdout, "1 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply of the import: %v\n%s", err, res)
	}
	if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
		t.Errorf("plan after the import is not empty (%v):\n%s", err, res)
	}
	if w := srv.CountRequests("PUT", "/uploads/"); w != 0 {
		t.Errorf("the import made %d updates, want none", w)
	}
}

// TestJournal_targetedAppliesKeepTheirOwnUploads: x and y upload the same file. apply
// -target=x, then apply -target=y: y creates an upload of its own (x's create returned, so
// its journal entry is never adopted) and warns that x's upload was not read by this apply,
// naming it and the import block; a full apply then changes nothing and adopts nothing.
func TestJournal_targetedAppliesKeepTheirOwnUploads(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := ws.Write("files/logo.txt", []byte("one logo\n")); err != nil {
		t.Fatal(err)
	}
	body := ""
	for _, name := range []string{"x", "y"} {
		body += fmt.Sprintf("resource \"datocms_upload\" %q {\n  source = \"${path.module}/files/logo.txt\"\n  author = %q\n}\n", name, name)
	}
	if err := ws.WriteConfig(body); err != nil {
		t.Fatal(err)
	}
	var outputs []string
	for _, args := range [][]string{{"-target=datocms_upload.x"}, {"-target=datocms_upload.y"}, nil} {
		res, err := ws.Apply(ctx, args...)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("apply %v: %v\n%s", args, err, res)
		}
		outputs = append(outputs, strings.Join(strings.Fields(strings.ReplaceAll(res.Stdout+res.Stderr, "│", " ")), " "))
	}
	ids, err := ws.StateIDs(ctx, "datocms_upload")
	if err != nil {
		t.Fatal(err)
	}
	x, y := ids["datocms_upload.x"], ids["datocms_upload.y"]
	if x == "" || y == "" || x == y || len(srv.Uploads("")) != 2 {
		t.Fatalf("x holds %q and y %q, the server %d uploads: want one upload each", x, y, len(srv.Uploads("")))
	}
	for i, out := range outputs {
		if strings.Contains(out, "Adopted an upload") || strings.Contains(out, "will be adopted") {
			t.Errorf("apply %d speaks of adopting: %s", i+1, out)
		}
	}
	if want := fmt.Sprintf("Upload %s was created from", x); !strings.Contains(outputs[1], "An earlier upload of this file is not in the state") ||
		!strings.Contains(outputs[1], want) || !strings.Contains(outputs[1], fmt.Sprintf("id = %q", x)) {
		t.Errorf("apply -target=y does not warn about x's upload %s with its import block:\n%s", x, outputs[1])
	}
	if strings.Contains(outputs[2], "not in the state") {
		t.Errorf("the full apply, which reads both, still warns:\n%s", outputs[2])
	}
}

// cacheRootOf is the provider's cache directory of a CLI workspace.
func cacheRootOf(ws *scenario.Workspace) string {
	return filepath.Join(ws.Dir, ".cache", cachedir.Name)
}

// TestCacheDir_plantedEntriesAreIgnored: entries of a cache directory that another user can
// write are never trusted. First the attack, with the directory as it should be: a hash
// entry rewritten to the old MD5 makes the plan of a changed file empty. Then the same
// directory, writable by others (or another user's): the plan warns which protections are
// off and shows the new content, and a planted journal entry is not adopted.
func TestCacheDir_plantedEntriesAreIgnored(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	big := filepath.Join(ws.Dir, "files", "big.bin")
	writeFile(t, big, append(make([]byte, 1<<20), 1)) // large enough for the hash cache
	time.Sleep(2100 * time.Millisecond)               // past the racy window
	if err := ws.WriteConfig("resource \"datocms_upload\" \"big\" {\n  source = \"${path.module}/files/big.bin\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	oldMD5 := fileMD5(t, big)
	writeFile(t, big, append(make([]byte, 1<<20), 2)) // same size, new content
	time.Sleep(2100 * time.Millisecond)
	if res, err := ws.Run(ctx, "plan", "-input=false"); err != nil || res.ExitCode != 0 { // hashes it into the cache
		t.Fatalf("plan: %v\n%s", err, res)
	}
	entries, _ := filepath.Glob(filepath.Join(cacheRootOf(ws), "md5", "*.json"))
	if len(entries) == 0 {
		t.Fatal("the plan left no hash in the cache: the test would prove nothing")
	}
	for _, e := range entries {
		dec := json.NewDecoder(bytes.NewReader(readFile(t, e)))
		dec.UseNumber() // stat times in nanoseconds do not fit a float64
		var f map[string]any
		if err := dec.Decode(&f); err != nil {
			t.Fatal(err)
		}
		f["md5"] = oldMD5
		forged, _ := json.Marshal(f)
		writeFile(t, e, forged)
		if err := os.Chmod(e, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
		t.Fatalf("with a trusted cache, a rewritten hash entry should hide the change (the attack this test guards against); "+
			"the plan was not empty (%v):\n%s", err, res)
	}

	// A journal entry for an upload with the new content, as a killed apply of this very
	// configuration would have left it: adopted, if the directory were trusted.
	seeded := seedUploads(t, srv, []seedUpload{{name: "big.bin", content: readFile(t, big)}})[0]
	abs, err := filepath.EvalSymlinks(ws.Dir)
	if err != nil {
		t.Fatal(err)
	}
	planted := createjournal.Entry{UploadID: seeded.ID, Key: big, MD5: fileMD5(t, big), Stage: createjournal.Started,
		Owner: createjournal.Owner{Dir: abs, Workspace: "default", Machine: createjournal.CurrentOwner().Machine}, CreatedAt: time.Now()}
	raw, _ := json.Marshal(planted)
	writeFile(t, filepath.Join(cacheRootOf(ws), "creates", createjournal.Scope(srv.URL(), "1234", ""), seeded.ID+".json"), raw)

	for _, weaken := range []struct {
		name string
		do   func() error
		undo func() error
	}{
		{"writable by others", func() error { return os.Chmod(cacheRootOf(ws), 0o707) }, func() error { return os.Chmod(cacheRootOf(ws), 0o700) }},
		{"another user's", func() error { return os.Chown(cacheRootOf(ws), 4242, 4242) }, func() error { return os.Chown(cacheRootOf(ws), os.Geteuid(), os.Getegid()) }},
	} {
		if weaken.name == "another user's" && os.Geteuid() != 0 {
			t.Log("not root: the directory cannot be given to another user")
			continue
		}
		if err := weaken.do(); err != nil {
			t.Fatal(err)
		}
		res, err := ws.Run(ctx, "plan", "-input=false")
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("%s: plan: %v\n%s", weaken.name, err, res)
		}
		out := strings.Join(strings.Fields(strings.ReplaceAll(res.Stdout+res.Stderr, "│", " ")), " ")
		for _, want := range []string{"Warning: Provider cache directory not used", "every source file is read and hashed on every plan",
			"an apply killed in the middle of a create cannot be recovered from the journal", "1 to change"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the plan does not say %q:\n%s", weaken.name, want, out)
			}
		}
		if err := weaken.undo(); err != nil {
			t.Fatal(err)
		}
	}

	// Create a second upload of the same file with the directory writable by others: the
	// planted entry must not be adopted.
	if err := os.Chmod(cacheRootOf(ws), 0o707); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig("resource \"datocms_upload\" \"big\" {\n  source = \"${path.module}/files/big.bin\"\n}\n" +
		"resource \"datocms_upload\" \"again\" {\n  source = \"${path.module}/files/big.bin\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	res, err := ws.Apply(ctx)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	if out := res.Stdout + res.Stderr; strings.Contains(out, "Adopted an upload") || strings.Contains(out, "will be adopted") {
		t.Errorf("a planted journal entry was adopted:\n%s", res)
	}
	ids, err := ws.StateIDs(ctx, "datocms_upload")
	if err != nil {
		t.Fatal(err)
	}
	if ids["datocms_upload.again"] == seeded.ID {
		t.Errorf("the new resource took the planted upload %s", seeded.ID)
	}
}

// TestCacheDir_unwritable: a regular file where the provider's cache directory should be.
// The plan and the apply warn which protections are off and work without them.
func TestCacheDir_unwritable(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	writeFile(t, cacheRootOf(ws), []byte("not a directory"))
	if err := ws.WriteConfig("resource \"datocms_upload\" \"a\" {\n  content = \"hi\"\n  basename = \"hi\"\n  extension = \"txt\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	res, err := ws.Apply(ctx)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	out := strings.Join(strings.Fields(strings.ReplaceAll(res.Stdout+res.Stderr, "│", " ")), " ")
	if !strings.Contains(out, "Warning: Provider cache directory not used") || !strings.Contains(out, "is not a directory") {
		t.Errorf("the apply does not warn about the cache directory:\n%s", out)
	}
	if n := len(srv.Uploads("")); n != 1 {
		t.Errorf("%d uploads, want 1", n)
	}
	if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
		t.Errorf("the next plan is not empty (%v):\n%s", err, res)
	}
}

// TestRecovery_refusedCreateUnconfirmed: a create whose job fails, when the read that should
// confirm that nothing was made fails too, keeps the upload ID in state (tainted) instead of
// forgetting it on a guess. The next apply asks again: when DatoCMS made the upload after
// all, it is replaced (deleted, created again); when DatoCMS says it does not exist, the
// upload is created. Either way one upload in the end, and no orphan.
func TestRecovery_refusedCreateUnconfirmed(t *testing.T) {
	t.Parallel()
	for _, made := range []bool{false, true} {
		t.Run(fmt.Sprintf("made=%v", made), func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			ws := cliWorkspace(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := ws.WriteConfig("resource \"datocms_upload\" \"a\" {\n  content = \"hi\"\n  basename = \"hi\"\n  extension = \"txt\"\n}\n"); err != nil {
				t.Fatal(err)
			}
			if err := srv.SetFaultRules(
				datocmstest.FaultRule{Method: "POST", Path: "/uploads", Action: "job_fail", Code: "INVALID_FIELD", Apply: made, Times: 1},
				datocmstest.FaultRule{Method: "GET", Path: "/uploads", Action: "status", Status: 403, Times: 5},
			); err != nil {
				t.Fatal(err)
			}
			res, err := ws.Apply(ctx)
			if err != nil || res.ExitCode == 0 {
				t.Fatalf("apply: want the failed create: %v\n%s", err, res)
			}
			out := strings.Join(strings.Fields(strings.ReplaceAll(res.Stdout+res.Stderr, "│", " ")), " ")
			if !strings.Contains(out, "anyway could not be checked") || !strings.Contains(out, "its ID is kept in state, marked tainted") {
				t.Errorf("the apply does not say the upload's fate is unknown:\n%s", out)
			}
			ids, err := ws.StateIDs(ctx, "datocms_upload")
			if err != nil {
				t.Fatal(err)
			}
			refused := ids["datocms_upload.a"]
			if refused == "" {
				t.Fatalf("the state does not keep the ID of the refused create: %v", ids)
			}
			if _, exists := srv.Upload("", refused); exists != made {
				t.Fatalf("upload %s exists: %v, want %v", refused, exists, made)
			}

			srv.ClearFaultRules()
			if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
				t.Fatalf("second apply: %v\n%s", err, res)
			}
			ups := srv.Uploads("")
			if len(ups) != 1 || ups[0].ID == refused {
				t.Errorf("after the second apply the server holds %d uploads (the refused create's %s among them: %v), want one new",
					len(ups), refused, len(ups) > 0 && ups[0].ID == refused)
			}
			if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
				t.Errorf("the next plan is not empty (%v):\n%s", err, res)
			}
		})
	}
}

// TestRefreshOnly_noDriftWhenFilesAreTouched: a drift check (`terraform plan -refresh-only
// -out`) finds no drift when nothing changed in DatoCMS, right after the apply (the file's
// record is racy then, so the refresh reads the file again) and after the file was touched
// (a fresh checkout); and finds the file replaced in DatoCMS. The plan's resource_drift says
// so on every CLI; the exit code of -detailed-exitcode too where the CLI gets it right.
func TestRefreshOnly_noDriftWhenFilesAreTouched(t *testing.T) {
	t.Parallel()
	cli, err := cliUnderTest()
	if err != nil {
		requireTerraform(t)
		t.Fatal(err)
	}
	exitCodes := cli.lacks(featureRefreshOnlyExitCode) == ""
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := ws.Write("files/logo.txt", []byte("logo v1\n")); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig("resource \"datocms_upload\" \"logo\" {\n  source = \"${path.module}/files/logo.txt\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	driftCheck := func(when string, drifted bool) {
		t.Helper()
		res, err := ws.Run(ctx, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-out=drift.tfplan")
		if err != nil || res.ExitCode == 1 {
			t.Fatalf("drift check %s: %v\n%s", when, err, res)
		}
		if want := map[bool]int{false: 0, true: 2}[drifted]; exitCodes && res.ExitCode != want {
			t.Errorf("drift check %s: exit %d, want %d\n%s", when, res.ExitCode, want, res)
		}
		show, err := ws.Run(ctx, "show", "-json", "drift.tfplan")
		if err != nil || show.ExitCode != 0 {
			t.Fatalf("show: %v\n%s", err, show)
		}
		var plan tfjson.Plan
		if err := json.Unmarshal([]byte(show.Stdout), &plan); err != nil {
			t.Fatal(err)
		}
		if got := len(plan.ResourceDrift) > 0; got != drifted {
			t.Errorf("drift check %s: resource_drift %v, want drift: %v", when, plan.ResourceDrift, drifted)
		}
	}
	driftCheck("right after the apply", false)
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(ws.Dir, "files", "logo.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	driftCheck("after the file was touched", false)
	if err := srv.ReplaceFile("", srv.Uploads("")[0].ID, "logo.txt", []byte("replaced in the UI\n")); err != nil {
		t.Fatal(err)
	}
	driftCheck("after the file was replaced in DatoCMS", true)
}
