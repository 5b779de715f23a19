package planreview

import (
	"context"
	"fmt"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// FindReferences returns the records that use an upload, in their current or published
// version: datocms.Client.UploadReferences.
type FindReferences func(ctx context.Context, uploadID string) ([]datocms.Reference, error)

// shownRecords is how many records a "Used by" row names, as a refused destroy does.
const shownRecords = 10

// AddRecords adds a "Used by" row to every asset whose upload exists in DatoCMS, so that a
// reviewer sees which content a new file, new metadata or a destroy reaches. A lookup that
// fails says so in the row; the review is still made. Each upload is looked up once.
func (r *Review) AddRecords(ctx context.Context, find FindReferences) {
	seen := map[string]Text{}
	for _, list := range [][]Asset{r.Changes, r.Drift} {
		for i := range list {
			a := &list[i]
			if a.UploadID == "" {
				continue
			}
			t, ok := seen[a.UploadID]
			if !ok {
				t = usedBy(find(ctx, a.UploadID))
				seen[a.UploadID] = t
			}
			a.Rows = append(a.Rows, Row{Label: "Used by", After: t})
		}
	}
}

// usedBy says how many records use an upload and names the first of them.
func usedBy(refs []datocms.Reference, err error) Text {
	switch {
	case err != nil:
		return plain("(the records could not be looked up: " + err.Error() + ")")
	case len(refs) == 0:
		return plain("no records")
	}
	t := plain(count(len(refs), "record", "records") + " (current or published version): ")
	for i, ref := range refs[:min(len(refs), shownRecords)] {
		if i > 0 {
			t = append(t, Span{S: ", "})
		}
		model := ref.Model
		if model == "" {
			model = "item type " + ref.ModelID
		}
		t = append(t, Span{S: ref.RecordID, Code: true}, Span{S: " (" + model + ")"})
	}
	if len(refs) > shownRecords {
		t = append(t, Span{S: fmt.Sprintf(" and %d more", len(refs)-shownRecords)})
	}
	return t
}
