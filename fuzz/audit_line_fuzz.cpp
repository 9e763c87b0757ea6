// Hostile audit logs (what `edgeai audit verify` reads): the input is split
// into lines and walked by the chain verifier, once alone and once against a
// checkpoint. Whatever comes in, it answers with a fault or a whole chain,
// never a crash; and a line it accepts must parse and carry a matching mac.
#include "security/audit_chain.h"
#include "security/audit_verifier.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

// The key the seed corpus (fuzz/corpus/audit) was signed with: 32 bytes 0x5a.
const std::string kKey(32, '\x5a');
const edgeai::core::HmacSha256 kSigner(kKey);

void walk(std::string_view input, const edgeai::security::AuditCheckpoint* checkpoint) {
    edgeai::security::AuditChainVerifier verifier(kKey, checkpoint);
    verifier.begin_file("audit.log", 0);
    int64_t accepted = 0;
    while (!input.empty()) {
        const size_t nl = input.find('\n');
        if (nl == std::string_view::npos) {
            verifier.end_file(input);
            break;
        }
        const std::string_view line = input.substr(0, nl);
        input.remove_prefix(nl + 1);
        if (!verifier.add_line(line)) break;
        ++accepted;
        if (!edgeai::security::parse_audit_line(line).ok() ||
            !edgeai::security::audit_line_mac_matches(line, kSigner))
            __builtin_trap();
        if (input.empty()) verifier.end_file("");
    }
    verifier.finish();
    if (verifier.lines() != accepted) __builtin_trap();
    if (!verifier.fault() && accepted > 0 && verifier.head().seq < verifier.first_seq())
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    walk(input, nullptr);
    edgeai::security::AuditCheckpoint checkpoint;
    checkpoint.seq = 3;
    checkpoint.head = std::string(edgeai::security::kAuditGenesisHash);
    checkpoint.file = "audit.log";
    checkpoint.mac = edgeai::security::audit_checkpoint_mac(kSigner, checkpoint);
    walk(input, &checkpoint);
    return 0;
}
