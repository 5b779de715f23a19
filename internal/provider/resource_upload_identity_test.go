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
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccUpload_identity: on Terraform 1.12 and later the state records the upload's
// identity (its ID), and an import block that names the identity instead of an ID imports
// the upload. The import's configuration leaves the file unmanaged (an import cannot know
// the local file), so the import plans no change at all.
func TestAccUpload_identity(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 70, 6, 6)
	metadata := "  author = \"Ann\"\n  tags = [\"x\"]\n"
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src)+metadata)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   cliRequires(featureResourceIdentity),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(testResource, map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(testResource, tfjsonpath.New("id")),
				},
			},
			{
				ResourceName:    testResource,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          uploadConfig(srv, metadata),
			},
		},
	})
}

// TestAccUploadCollection_identity checks the collection's identity in state, an import
// block by identity.
func TestAccUploadCollection_identity(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	config := providerBlock(srv, "") + `
resource "datocms_upload_collection" "marketing" {
  label = "Marketing"
}
`
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   cliRequires(featureResourceIdentity),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoCollections(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(marketingRes, tfjsonpath.New("id")),
					statecheck.ExpectIdentity(marketingRes, map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9_-]+$`)),
					}),
				},
			},
			{
				ResourceName:    marketingRes,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          config,
			},
		},
	})
}

// TestImportEmptyID: terraform import accepts "" as an ID (an import block does not); every
// resource refuses it with its own example, before asking DatoCMS anything.
func TestImportEmptyID(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	if err := ws.WriteConfig("resource \"datocms_upload\" \"u\" {\n  content = \"x\"\n  basename = \"x\"\n  extension = \"txt\"\n}\n" +
		"resource \"datocms_upload_metadata\" \"m\" {\n  upload_id = \"abc\"\n}\n" +
		"resource \"datocms_upload_collection\" \"c\" {\n  label = \"c\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, address := range []string{"datocms_upload.u", "datocms_upload_metadata.m", "datocms_upload_collection.c"} {
		srv.ResetRequests()
		res, err := ws.Run(ctx, "import", "-input=false", address, " ")
		if err != nil || res.ExitCode == 0 {
			t.Fatalf("import %s with an empty ID: want it refused: %v\n%s", address, err, res)
		}
		out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " ")
		if !strings.Contains(out, "Error: Invalid import ID") || !strings.Contains(out, "terraform import "+strings.Split(address, ".")[0]) {
			t.Errorf("import %s with an empty ID:\n%s", address, out)
		}
		for _, r := range srv.Requests() {
			if r.Path != "/site" {
				t.Errorf("import %s with an empty ID sent %s %s", address, r.Method, r.Path)
			}
		}
	}
}
