/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud_bs: the wire format between a volume and its replica targets.
 *
 * One TCP connection carries requests from the volume and replies from the
 * target, every field big-endian. A request is a struct kcbs_msg_req,
 * followed for a WRITE by @length bytes of data; a reply is a struct
 * kcbs_msg_rep, followed for a successful READ by @length bytes of data.
 * The target serves the requests of one connection concurrently and answers
 * each when it is done, in any order: the volume matches a reply to its
 * request by @handle. A request with KCBS_MSG_F_ORDERED starts only once
 * every earlier request on the connection has been answered (a resync's
 * copy uses it so that it follows the writes already sent).
 *
 * A ZERO request (discard, write zeroes) carries no data: the range reads
 * back as zeroes afterwards on every replica, so that they stay the same.
 *
 * Both headers carry the crc32c of their own first bytes (@hdr_crc) so that
 * a damaged or foreign header is found before its fields are trusted, and
 * the crc32c of the data that follows (@data_crc), checked by the receiver:
 * a WRITE whose data does not match is refused with KCBS_ST_BADCRC (and
 * never written); a READ reply whose data does not match is dropped by the
 * volume and the read sent again.
 *
 * The first request on a connection is a HELLO (offset = protocol version,
 * epoch = the volume's epoch), followed by KCBS_HELLO_LEN bytes of data: the
 * volume's name, NUL padded. The target refuses a volume other than the one
 * its backing store belongs to, if it knows that (KCBS_ST_FOREIGN), and a
 * volume whose epoch is older than the newest it has seen (KCBS_ST_STALE);
 * otherwise it remembers the epoch and answers with its size in @value.
 * Every later request carries the epoch too and is refused with
 * KCBS_ST_STALE once a newer volume has said HELLO.
 *
 * A SIZE request (no data) asks the target to hold at least @offset bytes,
 * for a volume that grows: a backing file is extended (the new range reads
 * back as zeroes), a block device grown underneath (lvextend, losetup -c) is
 * taken up to @offset and its new range zeroed. The reply's @value is the
 * size the target has then, which may be less than asked (a block device
 * too small); an @offset not above the current size only asks for it.
 */
#ifndef _KCLOUD_BS_PROTO_H
#define _KCLOUD_BS_PROTO_H

#include <linux/types.h>

#define KCBS_PROTO_VERSION	3
#define KCBS_HELLO_LEN		32	/* KCLOUD_BS_NAME_LEN */
#define KCBS_REQ_MAGIC		0x4b434251	/* "KCBQ" */
#define KCBS_REP_MAGIC		0x4b434252	/* "KCBR" */

/* The largest payload of one frame: a region copied by a resync. */
#define KCBS_MAX_PAYLOAD	(1024 * 1024)

enum kcbs_msg_type {
	KCBS_MSG_HELLO	= 1,
	KCBS_MSG_READ	= 2,
	KCBS_MSG_WRITE	= 3,
	KCBS_MSG_FLUSH	= 4,
	KCBS_MSG_ZERO	= 5,	/* discard or write zeroes: reads back as zeroes */
	KCBS_MSG_SIZE	= 6,	/* hold at least @offset bytes; @value: the size */
};

/* Request flags. */
#define KCBS_MSG_F_FUA		0x0001	/* WRITE: on stable storage before the reply */
#define KCBS_MSG_F_ORDERED	0x0002	/* starts after every earlier request is answered */

/* Reply status. */
enum kcbs_msg_status {
	KCBS_ST_OK	= 0,
	KCBS_ST_EIO	= 1,	/* the backing store failed */
	KCBS_ST_BADCRC	= 2,	/* the WRITE data did not match @data_crc */
	KCBS_ST_STALE	= 3,	/* the volume's epoch is older than the target's */
	KCBS_ST_RANGE	= 4,	/* offset/length outside the backing store */
	KCBS_ST_INVAL	= 5,	/* unknown request or bad protocol version */
	KCBS_ST_FOREIGN	= 6,	/* HELLO: the backing store is another volume's */
};

struct kcbs_msg_req {
	__be32 magic;		/* KCBS_REQ_MAGIC */
	__be16 type;		/* enum kcbs_msg_type */
	__be16 flags;		/* KCBS_MSG_F_* */
	__be64 handle;		/* echoed in the reply */
	__be64 offset;		/* bytes; HELLO: KCBS_PROTO_VERSION; SIZE: the size */
	__be32 length;		/* bytes of data (READ: wanted, WRITE: sent) */
	__be32 data_crc;	/* WRITE: crc32c of the data */
	__be64 epoch;		/* the volume's epoch */
	__be32 hdr_crc;		/* crc32c of the bytes above */
	__be32 reserved;	/* zero */
};

struct kcbs_msg_rep {
	__be32 magic;		/* KCBS_REP_MAGIC */
	__be16 type;		/* the request's type */
	__be16 status;		/* enum kcbs_msg_status */
	__be64 handle;		/* the request's handle */
	__be64 value;		/* HELLO, SIZE: the backing store's size in bytes */
	__be32 length;		/* bytes of data that follow (READ) */
	__be32 data_crc;	/* READ: crc32c of the data */
	__be64 epoch;		/* the target's epoch */
	__be32 hdr_crc;		/* crc32c of the bytes above */
	__be32 reserved;	/* zero */
};

#define KCBS_REQ_CRC_LEN	offsetof(struct kcbs_msg_req, hdr_crc)
#define KCBS_REP_CRC_LEN	offsetof(struct kcbs_msg_rep, hdr_crc)

#endif /* _KCLOUD_BS_PROTO_H */
