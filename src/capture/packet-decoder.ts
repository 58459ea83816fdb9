/**
 * One capture's frames to SIP payloads, as gopacket's DecodingLayerParser: the link decoder chosen by the frame's
 * link type names the first layer, then one loop hands the reused LayerState to the decoder of each layer type
 * named by the layer before (link -> IPv4/IPv6 (+ extension headers, fragments, IP-in-IP, ICMP quotes) -> UDP |
 * TCP | SCTP -> HEP | SIP). Works on offsets into the reader's window; the only per-packet allocations are for
 * packets that carry SIP, TCP data or fragments.
 */
import { FragmentTable, type FragmentLimits } from './fragments.js';
import { LAYER_DECODERS, LINK_DECODERS } from './layer-registry.js';
import { LayerState, reportIssue, type LayerServices, type StreamDecoderSink, type StreamHooks } from './layer-state.js';
import { LAYER_NONE, type LayerType } from './layer-types.js';
import type { PacketRecord } from './packet-record.js';

/**
 * Layers decoded in one packet at most. The tunnel, extension-header and ICMP-quote limits end every chain well
 * before this; the bound only makes the loop's end evident.
 */
const MAX_LAYERS_PER_PACKET = 64;

export class PacketDecoder {
  private readonly state = new LayerState();
  private readonly services: LayerServices;
  private readonly unsupportedLinkTypes = new Set<number>();

  constructor(sink: StreamDecoderSink, streams: StreamHooks, fragmentLimits: FragmentLimits) {
    const fragments = new FragmentTable(fragmentLimits, (code, message, at) =>
      sink.issue({ code, message, file: at.file, packetNumber: at.packetNumber, offset: at.offset }),
    );
    this.services = { sink, streams, fragments };
  }

  /** Decodes one frame of `file`; `packetNumber` replaces the file's own number when several files are read as one. */
  packet(record: PacketRecord, file: string, packetNumber = record.packetNumber): void {
    const packet = this.state;
    packet.begin(record, file, packetNumber);
    const fragments = this.services.fragments;
    if (fragments.size > 0) fragments.expire(record.timeUs);
    if (record.linkType < 0) return;
    const captured = record.end - record.start;
    if (captured < record.originalLength) {
      reportIssue(packet, this.services, 'truncated-packet', `packet cut by the snapshot length: ${captured} of ${record.originalLength} bytes captured`);
    }
    const decodeLink = LINK_DECODERS.get(record.linkType);
    if (decodeLink === undefined) {
      if (!this.unsupportedLinkTypes.has(record.linkType)) {
        this.unsupportedLinkTypes.add(record.linkType);
        reportIssue(packet, this.services, 'unsupported-link-type', `link type ${record.linkType} is not decoded; its packets are skipped`);
      }
      return;
    }
    this.decodeLayers(decodeLink(packet));
  }

  /** The loop: each layer's decoder names the next layer type, until one names none. */
  private decodeLayers(first: LayerType): void {
    const packet = this.state;
    const services = this.services;
    let layer = first;
    for (let count = 0; layer !== LAYER_NONE && count < MAX_LAYERS_PER_PACKET; count++) layer = LAYER_DECODERS[layer](packet, services);
  }

  /** End of file: report incomplete fragments and let stream decoders emit what they still hold. */
  flush(): void {
    this.services.fragments.flush();
    this.services.streams.flush();
  }
}
