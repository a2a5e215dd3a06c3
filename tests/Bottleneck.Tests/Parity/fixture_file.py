"""What the fixture scripts of this folder share: writing one case as a safetensors file (every
tensor float32, little-endian, C order; the case's settings as strings in "__metadata__") and
recording it in the script's manifest."""
import json, os, struct
import torch


class Cases:
    def __init__(self, out, manifest_name):
        self.out, self.manifest_name, self.manifest = out, manifest_name, {}
        os.makedirs(out, exist_ok=True)

    def save(self, name, tensors, meta, doc):
        header, offset, blobs = {}, 0, []
        for k, t in tensors.items():
            t = t.detach().to(torch.float32).contiguous()
            b = t.numpy().tobytes()
            header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
            offset += len(b); blobs.append(b)
        header["__metadata__"] = {k: str(v) for k, v in meta.items()}
        h = json.dumps(header, separators=(',', ':')).encode()
        h += b' ' * ((8 - len(h) % 8) % 8)
        with open(os.path.join(self.out, name + '.safetensors'), 'wb') as f:
            f.write(struct.pack('<Q', len(h))); f.write(h)
            for b in blobs: f.write(b)
        self.manifest[name] = {"settings": meta, "tensors": doc}

    def write_manifest(self):
        with open(os.path.join(self.out, self.manifest_name), 'w') as f:
            json.dump(self.manifest, f, indent=1)
            f.write('\n')
