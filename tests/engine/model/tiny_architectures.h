// One tiny synthesized shape per architecture and variant the engine runs
// (rows of 64 to 256 values, a few layers), for tests that compare them with
// llama.cpp or check what the loader accepts. Each turns on what makes its
// architecture different: qwen3's head size differs from n_embd / n_head,
// gemma3 has sliding layers (a window of 8) and a global one, phi3 fuses its
// tensors and rotates part of each head, granite has all four multipliers.
#pragma once

#include "engine/convert/synth.h"

#include <vector>

namespace edgeai::engine::testing {

struct TinyArchitecture {
    const char* label;
    convert::SynthShape shape;
};

inline convert::SynthShape tiny_base(const char* name, const char* arch) {
    convert::SynthShape s;
    s.name = name;
    s.arch = arch;
    s.n_layer = 2;
    s.n_embd = 64;
    s.n_head = 4;
    s.n_head_kv = 2;
    s.n_ff = 128;
    s.n_vocab = 600;
    s.n_ctx = 256;
    s.rope_base = 10000.0f;
    s.rms_eps = 1e-5f;
    s.tied_output = true;
    s.vocab = convert::SynthVocab::kByteLevelBpe;
    s.pre = "gpt-2";
    // Larger weights than the published shapes' 0.02 give peaked logits, so a
    // greedy choice is never a near tie that rounding could flip.
    s.weight_std = 0.08f;
    return s;
}

inline std::vector<TinyArchitecture> tiny_architectures() {
    std::vector<TinyArchitecture> out;
    {
        convert::SynthShape s = tiny_base("tiny-llama3.2", "llama");
        s.rope_base = 500000.0f;
        s.llama3_rope_factor = 32.0f;
        out.push_back({"llama3.2", s});
    }
    {
        convert::SynthShape s = tiny_base("tiny-qwen3", "qwen3");
        s.head_dim = 32; // q is 128 wide, n_embd 64
        s.rope_base = 1000000.0f;
        s.rms_eps = 1e-6f;
        out.push_back({"qwen3", s});
    }
    {
        convert::SynthShape s = tiny_base("tiny-gemma3", "gemma3");
        s.n_layer = 6; // five sliding layers, then a global one
        s.n_head_kv = 1;
        s.head_dim = 32;
        s.rope_base = 1000000.0f;
        s.rope_base_swa = 10000.0f;
        s.sliding_window = 8;
        s.rms_eps = 1e-6f;
        s.vocab = convert::SynthVocab::kSentencePiece;
        s.n_vocab = 400;
        out.push_back({"gemma3", s});
        s.name = "tiny-gemma3-softcap";
        s.final_softcap = 2.0f;
        out.push_back({"gemma3 softcap", s});
    }
    {
        // Phi-3/3.5 have a SentencePiece vocabulary, Phi-4-mini a byte-level
        // one. Not named "phi3": llama.cpp then wants Phi-3's own special
        // tokens (<|endoftext|>) in the vocabulary.
        convert::SynthShape s = tiny_base("tiny-phi-mini", "phi3");
        s.vocab = convert::SynthVocab::kSentencePiece;
        s.n_vocab = 400;
        out.push_back({"phi3", s});
        s = tiny_base("tiny-phi4-mini", "phi3");
        s.rope_dim = 12; // of 16
        s.longrope = true;
        s.rope_orig_ctx = 256; // this context: the short factors
        out.push_back({"phi4-mini short", s});
        s.name = "tiny-phi4-mini-long";
        s.rope_orig_ctx = 64; // past it: the long factors
        out.push_back({"phi4-mini long", s});
    }
    {
        convert::SynthShape s = tiny_base("tiny-smollm3", "smollm3");
        s.n_layer = 4; // the 4th has no RoPE
        s.rope_base = 5000000.0f;
        out.push_back({"smollm3", s});
    }
    {
        convert::SynthShape s = tiny_base("tiny-granite", "granite");
        s.embedding_scale = 12.0f;
        s.residual_scale = 0.22f;
        s.attention_scale = 0.015625f;
        s.logit_scale = 8.0f;
        out.push_back({"granite", s});
    }
    return out;
}

} // namespace edgeai::engine::testing
