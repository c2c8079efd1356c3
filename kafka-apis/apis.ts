/**
 * Kafka API names and keys, and the roles a `rules.kafka[].role` expands to. Pure data and pure
 * functions, with no imports: the policy compiler imports this module to validate `apiKeys` and
 * `role` and to expand roles; the proxy uses the same tables, so both agree by construction.
 *
 * Names are Kafka's own message names without the `Request` suffix (`Produce`, `FindCoordinator`),
 * as in `clients/src/main/resources/common/message/*.json`. Inter-broker and controller APIs are
 * listed so policies can name them, but no role includes them and the proxy never forwards them.
 */

/** Every Kafka API key by name (Kafka 4.1). */
export const KAFKA_API_KEYS = {
  Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, LeaderAndIsr: 4, StopReplica: 5, UpdateMetadata: 6,
  ControlledShutdown: 7, OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10, JoinGroup: 11, Heartbeat: 12,
  LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ListGroups: 16, SaslHandshake: 17, ApiVersions: 18,
  CreateTopics: 19, DeleteTopics: 20, DeleteRecords: 21, InitProducerId: 22, OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24, AddOffsetsToTxn: 25, EndTxn: 26, WriteTxnMarkers: 27, TxnOffsetCommit: 28,
  DescribeAcls: 29, CreateAcls: 30, DeleteAcls: 31, DescribeConfigs: 32, AlterConfigs: 33, AlterReplicaLogDirs: 34,
  DescribeLogDirs: 35, SaslAuthenticate: 36, CreatePartitions: 37, CreateDelegationToken: 38,
  RenewDelegationToken: 39, ExpireDelegationToken: 40, DescribeDelegationToken: 41, DeleteGroups: 42,
  ElectLeaders: 43, IncrementalAlterConfigs: 44, AlterPartitionReassignments: 45, ListPartitionReassignments: 46,
  OffsetDelete: 47, DescribeClientQuotas: 48, AlterClientQuotas: 49, DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51, Vote: 52, BeginQuorumEpoch: 53, EndQuorumEpoch: 54, DescribeQuorum: 55,
  AlterPartition: 56, UpdateFeatures: 57, Envelope: 58, FetchSnapshot: 59, DescribeCluster: 60, DescribeProducers: 61,
  BrokerRegistration: 62, BrokerHeartbeat: 63, UnregisterBroker: 64, DescribeTransactions: 65, ListTransactions: 66,
  AllocateProducerIds: 67, ConsumerGroupHeartbeat: 68, ConsumerGroupDescribe: 69, ControllerRegistration: 70,
  GetTelemetrySubscriptions: 71, PushTelemetry: 72, AssignReplicasToDirs: 73, ListConfigResources: 74,
  DescribeTopicPartitions: 75, ShareGroupHeartbeat: 76, ShareGroupDescribe: 77, ShareFetch: 78, ShareAcknowledge: 79,
  AddRaftVoter: 80, RemoveRaftVoter: 81, UpdateRaftVoter: 82, InitializeShareGroupState: 83, ReadShareGroupState: 84,
  WriteShareGroupState: 85, DeleteShareGroupState: 86, ReadShareGroupStateSummary: 87, StreamsGroupHeartbeat: 88,
  StreamsGroupDescribe: 89, DescribeShareGroupOffsets: 90, AlterShareGroupOffsets: 91, DeleteShareGroupOffsets: 92,
} as const;

export type KafkaApiName = keyof typeof KAFKA_API_KEYS;

const NAME_BY_KEY: ReadonlyMap<number, KafkaApiName> = new Map(
  (Object.entries(KAFKA_API_KEYS) as [KafkaApiName, number][]).map(([name, key]) => [key, name]),
);

/** The key of an API name (exact, case-sensitive), or undefined when Kafka has no such API. */
export function apiKeyOf(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(KAFKA_API_KEYS, name) ? KAFKA_API_KEYS[name as KafkaApiName] : undefined;
}

/** The name of an API key, or `Unknown(<key>)` for a key Kafka does not define. */
export function apiNameOf(key: number): string {
  return NAME_BY_KEY.get(key) ?? `Unknown(${key})`;
}

/**
 * APIs that are not authorizable in Kafka itself (they precede authentication): the proxy always
 * lets them through, whatever the rules say, as a broker does. Their responses are still checked
 * (ApiVersions is capped to what the proxy can decode).
 */
export const CONNECTION_APIS: readonly KafkaApiName[] = ['ApiVersions', 'SaslHandshake', 'SaslAuthenticate'];

/**
 * The APIs the proxy decodes and enforces. Anything else is never forwarded and is dropped from
 * ApiVersions responses, so clients do not try it.
 */
export const PROXY_APIS: readonly KafkaApiName[] = [
  'Produce', 'Fetch', 'ListOffsets', 'Metadata', 'OffsetCommit', 'OffsetFetch', 'FindCoordinator', 'JoinGroup',
  'Heartbeat', 'LeaveGroup', 'SyncGroup', 'DescribeGroups', 'ListGroups', 'SaslHandshake', 'ApiVersions',
  'CreateTopics', 'DeleteTopics', 'DeleteRecords', 'InitProducerId', 'OffsetForLeaderEpoch', 'AddPartitionsToTxn',
  'AddOffsetsToTxn', 'EndTxn', 'TxnOffsetCommit', 'DescribeConfigs', 'SaslAuthenticate', 'CreatePartitions',
  'DeleteGroups', 'DescribeCluster', 'GetTelemetrySubscriptions', 'PushTelemetry', 'ConsumerGroupHeartbeat',
];

/** `PROXY_APIS` as keys. */
export const PROXY_API_KEYS: readonly number[] = PROXY_APIS.map((name) => KAFKA_API_KEYS[name]);

/** The roles a rule may name. */
export const KAFKA_ROLES = ['produce', 'consume', 'describe', 'admin'] as const;
export type KafkaRole = (typeof KAFKA_ROLES)[number];

const BASICS: readonly KafkaApiName[] = [
  'ApiVersions', 'SaslHandshake', 'SaslAuthenticate', 'Metadata', 'DescribeCluster', 'GetTelemetrySubscriptions', 'PushTelemetry',
];

/**
 * What each role allows, as complete API sets (Kafka's own ACL bundles, `kafka-acls --producer` /
 * `--consumer`, made concrete):
 * - `produce`: a modern idempotent or transactional producer: Produce, InitProducerId, the
 *   transaction APIs (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit for
 *   consume-transform-produce) and FindCoordinator for the transaction coordinator.
 * - `consume`: a consumer in a group (classic and KIP-848 protocols): Fetch, ListOffsets,
 *   OffsetForLeaderEpoch, OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, SyncGroup,
 *   Heartbeat, LeaveGroup, ConsumerGroupHeartbeat.
 * - `describe`: read-only inspection: Describe*, List*, OffsetFetch, ListOffsets.
 * - `admin`: `describe` plus topic, partition, record, config and group administration.
 * Every role includes the connection basics: ApiVersions, SASL, Metadata, DescribeCluster and
 * client telemetry. Topic, group and transactional-id matchers in the same rule still apply.
 */
export const ROLE_APIS: Readonly<Record<KafkaRole, readonly KafkaApiName[]>> = {
  produce: [...BASICS, 'Produce', 'InitProducerId', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'TxnOffsetCommit', 'FindCoordinator'],
  consume: [
    ...BASICS, 'Fetch', 'ListOffsets', 'OffsetForLeaderEpoch', 'OffsetCommit', 'OffsetFetch', 'FindCoordinator',
    'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'ConsumerGroupHeartbeat',
  ],
  describe: [
    ...BASICS, 'ListOffsets', 'OffsetFetch', 'FindCoordinator', 'DescribeGroups', 'ListGroups', 'DescribeConfigs',
    'DescribeAcls', 'DescribeLogDirs', 'DescribeProducers', 'DescribeTransactions', 'ListTransactions',
    'ConsumerGroupDescribe', 'DescribeTopicPartitions', 'ListPartitionReassignments', 'DescribeClientQuotas',
  ],
  admin: [
    ...BASICS, 'ListOffsets', 'OffsetFetch', 'FindCoordinator', 'DescribeGroups', 'ListGroups', 'DescribeConfigs',
    'DescribeAcls', 'DescribeLogDirs', 'DescribeProducers', 'DescribeTransactions', 'ListTransactions',
    'ConsumerGroupDescribe', 'DescribeTopicPartitions', 'ListPartitionReassignments', 'DescribeClientQuotas',
    'CreateTopics', 'DeleteTopics', 'CreatePartitions', 'DeleteRecords', 'AlterConfigs', 'IncrementalAlterConfigs',
    'DeleteGroups', 'OffsetDelete', 'ElectLeaders', 'AlterPartitionReassignments',
  ],
};

/** Whether `name` is a role. */
export function isKafkaRole(name: string): name is KafkaRole {
  return (KAFKA_ROLES as readonly string[]).includes(name);
}

/** The sorted, de-duplicated API keys of a role. */
export function roleApiKeys(role: KafkaRole): readonly number[] {
  return [...new Set(ROLE_APIS[role].map((name) => KAFKA_API_KEYS[name]))].sort((a, b) => a - b);
}

/**
 * The API-key set of a rule: the union of its role's keys and its explicit `apiKeys` (names).
 * Returns `undefined` when the rule names neither (it then applies to every API). Unknown names
 * are the caller's to report; they are skipped here.
 */
export function expandApiKeys(role: string | undefined, apiKeys: readonly string[] | undefined): readonly number[] | undefined {
  if (role === undefined && (apiKeys === undefined || apiKeys.length === 0)) return undefined;
  const keys = new Set<number>(role !== undefined && isKafkaRole(role) ? roleApiKeys(role) : []);
  for (const name of apiKeys ?? []) {
    const key = apiKeyOf(name);
    if (key !== undefined) keys.add(key);
  }
  return [...keys].sort((a, b) => a - b);
}
