package provider

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

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
