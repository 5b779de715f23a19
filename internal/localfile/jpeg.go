package localfile

import (
	"bytes"
	"encoding/binary"
)

// jpegKeepsFrameSize reports whether the JPEG whose first bytes are head is shown with the
// dimensions of its frame header: it has no EXIF orientation, or one that only flips or
// rotates by 180 degrees (1 to 4). Orientations 5 to 8 swap width and height for a viewer,
// and what DatoCMS reports then is not known; so is anything unreadable (a malformed EXIF
// block, an XMP orientation, metadata past head): each answers false, and the plan leaves
// the dimensions unknown rather than guess.
func jpegKeepsFrameSize(head []byte) bool {
	if !bytes.HasPrefix(head, []byte{0xFF, 0xD8}) {
		return false
	}
	for at := 2; ; {
		if at+4 > len(head) || head[at] != 0xFF {
			return false
		}
		marker, size := head[at+1], int(binary.BigEndian.Uint16(head[at+2:]))
		switch {
		case marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01:
			return false // markers without a length do not come before the frame header
		case isStartOfFrame(marker) || marker == 0xDA:
			return true // every segment that can hold an orientation comes before the frame
		}
		end := at + 2 + size
		if size < 2 || end > len(head) {
			return false
		}
		if marker == 0xE1 { // APP1: EXIF or XMP
			segment := head[at+4 : end]
			switch {
			case bytes.HasPrefix(segment, []byte("Exif\x00\x00")):
				if orientation, ok := exifOrientation(segment[6:]); !ok || orientation > 4 {
					return false
				}
			case bytes.Contains(segment, []byte("Orientation")):
				return false // an XMP orientation: not read, so not trusted
			}
		}
		at = end
	}
}

// isStartOfFrame reports whether marker starts a frame (SOF0 to SOF15, but not DHT, JPG or
// DAC, which share the range).
func isStartOfFrame(marker byte) bool {
	return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
}

// exifOrientation reads the orientation tag (0x0112) of the first image file directory of
// a TIFF block (the EXIF payload). ok is false when the block is malformed; a block
// without the tag has orientation 1.
func exifOrientation(tiff []byte) (orientation int, ok bool) {
	if len(tiff) < 8 {
		return 0, false
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0, false
	}
	if order.Uint16(tiff[2:]) != 42 {
		return 0, false
	}
	ifd := int(order.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 0, false
	}
	count := int(order.Uint16(tiff[ifd:]))
	for i := range count {
		entry := ifd + 2 + 12*i
		if entry+12 > len(tiff) {
			return 0, false
		}
		if order.Uint16(tiff[entry:]) == 0x0112 {
			if order.Uint16(tiff[entry+2:]) != 3 { // SHORT
				return 0, false
			}
			v := int(order.Uint16(tiff[entry+8:]))
			return v, v >= 1 && v <= 8
		}
	}
	return 1, true
}
