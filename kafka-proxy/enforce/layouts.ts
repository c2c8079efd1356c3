/**
 * Where each item-listing API keeps its items in the request and in the response (field names
 * from Kafka's JSON definitions), and what a denied entry carries besides its error code
 * (the values `getErrorResponse` uses in Kafka's request classes: offsets −1, no records).
 */
import type { ItemLayout } from './items.js';

const PER_PARTITION = { reqArray: 'Topics', reqName: 'Name', reqParts: 'Partitions', reqPartIndex: 'PartitionIndex', respArray: 'Topics', respName: 'Name', respParts: 'Partitions', respPartIndex: 'PartitionIndex', errorField: 'ErrorCode' } as const;

export const ITEM_LAYOUTS: Readonly<Record<number, ItemLayout>> = {
  // Produce (v3–12 name topics, v13+ by id)
  0: {
    itemKind: 'topic', reqArray: 'TopicData', reqName: 'Name', reqId: 'TopicId', reqParts: 'PartitionData', reqPartIndex: 'Index',
    respArray: 'Responses', respName: 'Name', respId: 'TopicId', respParts: 'PartitionResponses', respPartIndex: 'Index', errorField: 'ErrorCode',
    partDefaults: { BaseOffset: -1n }, scopeTxn: 'TransactionalId',
  },
  // Fetch (v4–12 name topics, v13+ by id)
  1: {
    itemKind: 'topic', reqArray: 'Topics', reqName: 'Topic', reqId: 'TopicId', reqParts: 'Partitions', reqPartIndex: 'Partition',
    respArray: 'Responses', respName: 'Topic', respId: 'TopicId', respParts: 'Partitions', respPartIndex: 'PartitionIndex', errorField: 'ErrorCode',
    partDefaults: { HighWatermark: -1n, LastStableOffset: -1n, LogStartOffset: -1n, Records: null, AbortedTransactions: null },
  },
  // ListOffsets
  2: { itemKind: 'topic', ...PER_PARTITION, partDefaults: { Timestamp: -1n, Offset: -1n, LeaderEpoch: -1 } },
  // OffsetCommit
  8: { itemKind: 'topic', ...PER_PARTITION, scopeGroup: 'GroupId' },
  // OffsetFetch (v0–7)
  9: {
    itemKind: 'topic', reqArray: 'Topics', reqName: 'Name', reqParts: 'PartitionIndexes',
    respArray: 'Topics', respName: 'Name', respParts: 'Partitions', respPartIndex: 'PartitionIndex', errorField: 'ErrorCode',
    scopeGroup: 'GroupId', topLevelError: 'ErrorCode',
    nullMeansAll: true, partDefaults: { CommittedOffset: -1n, CommittedLeaderEpoch: -1, Metadata: '' },
  },
  // DescribeGroups
  15: { itemKind: 'group', reqArray: 'Groups', respArray: 'Groups', respName: 'GroupId', errorField: 'ErrorCode' },
  // CreateTopics
  19: { itemKind: 'topic', reqArray: 'Topics', reqName: 'Name', respArray: 'Topics', respName: 'Name', errorField: 'ErrorCode', itemDefaults: { NumPartitions: -1, ReplicationFactor: -1, Configs: null } },
  // DeleteTopics (v0–5: names)
  20: { itemKind: 'topic', reqArray: 'TopicNames', respArray: 'Responses', respName: 'Name', errorField: 'ErrorCode' },
  // DeleteRecords
  21: { itemKind: 'topic', ...PER_PARTITION, partDefaults: { LowWatermark: -1n } },
  // OffsetForLeaderEpoch
  23: {
    itemKind: 'topic', reqArray: 'Topics', reqName: 'Topic', reqParts: 'Partitions', reqPartIndex: 'Partition',
    respArray: 'Topics', respName: 'Topic', respParts: 'Partitions', respPartIndex: 'Partition', errorField: 'ErrorCode',
    partDefaults: { LeaderEpoch: -1, EndOffset: -1n },
  },
  // AddPartitionsToTxn (v0–3)
  24: {
    itemKind: 'topic', reqArray: 'V3AndBelowTopics', reqName: 'Name', reqParts: 'Partitions',
    respArray: 'ResultsByTopicV3AndBelow', respName: 'Name', respParts: 'ResultsByPartition', respPartIndex: 'PartitionIndex', errorField: 'PartitionErrorCode',
    scopeTxn: 'V3AndBelowTransactionalId',
  },
  // TxnOffsetCommit
  28: { itemKind: 'topic', ...PER_PARTITION, scopeGroup: 'GroupId', scopeTxn: 'TransactionalId' },
  // DescribeConfigs: topic resources (type 2) are items; broker resources pass with the request
  32: {
    itemKind: 'topic', reqArray: 'Resources', reqName: 'ResourceName', reqIsItem: (e) => e['ResourceType'] === 2,
    respArray: 'Results', respName: 'ResourceName', errorField: 'ErrorCode', copy: ['ResourceType'],
  },
  // CreatePartitions
  37: { itemKind: 'topic', reqArray: 'Topics', reqName: 'Name', respArray: 'Results', respName: 'Name', errorField: 'ErrorCode' },
  // DeleteGroups
  42: { itemKind: 'group', reqArray: 'GroupsNames', respArray: 'Results', respName: 'GroupId', errorField: 'ErrorCode' },
};
