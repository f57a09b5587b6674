"""The safetensors file format written by hand (no safetensors package), shared by the fixture scripts."""
import json
import struct

import torch

ST = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    """Writes `tensors` (name → tensor of a dtype in ST), in order, with each tensor's own dtype."""
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {'dtype': ST[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
