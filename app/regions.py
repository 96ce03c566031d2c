"""Where an idea comes from, or where a reviewer works: Hunan's 14 市州 plus two."""

REGIONS = (
    "长沙市", "株洲市", "湘潭市", "衡阳市", "邵阳市", "岳阳市", "常德市",
    "张家界市", "益阳市", "郴州市", "永州市", "怀化市", "娄底市",
    "湘西土家族苗族自治州", "省直单位", "省外",
)
