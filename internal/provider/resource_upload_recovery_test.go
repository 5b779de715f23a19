package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
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
