"""Object detection and box augmentation: IoU, non-maximum suppression, YOLO targets, RoI pooling, CutMix."""

from examprep.registry import register

register("detection/box_iou-v1", "examprep.problems.detection.box_iou:BoxIoU",
         title="Intersection over union of two boxes", parts=("inter", "union", "iou"), catalog="seed_002 E8")
register("detection/nms-v1", "examprep.problems.detection.nms:NMS", title="Non-maximum suppression",
         parts=("order", "iou", "keep"), catalog="seed_002 E8")
register("detection/yolo_encoding-v1", "examprep.problems.detection.yolo_encoding:YoloEncoding",
         title="YOLO output size and grid encoding of a box", parts=("outputs", "cell", "offset", "size"),
         catalog="seed_002 E9")
register("detection/roi_pool-v1", "examprep.problems.detection.roi_pool:RoIPool", title="RoI max pooling",
         parts=("row_bins", "col_bins", "output"), catalog="seed_002 E10")
register("detection/cutmix-v1", "examprep.problems.detection.cutmix:CutMix", title="CutMix and Cutout",
         parts=("box", "lam", "label", "mixed", "cutout"), catalog="seed_002 E7")
